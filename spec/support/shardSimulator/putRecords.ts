/**
 * `PutRecords`: the request checked as the service checks it, then each record routed to its
 * shard and accepted or throttled by that shard's buckets, in request order; the answer written
 * as one JSON string (this is the hot path).
 *
 * Checks, in order, each refusing the whole request (HTTP 400, nothing written):
 *
 * 1. the request model (`ValidationException`, worded as the service words it): 1 to 500
 *    records; each with a partition key of 1 to 256 characters, data (at most 10 MiB, the
 *    model's bound), and an explicit hash key, if any, of up to 39 decimal digits;
 * 2. the stream exists (`ResourceNotFoundException`);
 * 3. `InvalidArgumentException`: an explicit hash key over 2^128 - 1; a record whose data plus
 *    partition key is over the stream's maximum record size (`MaxRecordSizeInKiB`, 1 MiB
 *    unless raised); data plus partition keys over 10 MiB in all ("Records size exceeds 10 MB
 *    limit");
 * 4. the configured chances of a whole-request `ProvisionedThroughputExceededException` or
 *    `KMSThrottlingException`.
 *
 * @module
 */
import { invalidArgument, kmsThrottled, requestThrottled, validationError } from './errors.js';
import type { ConstraintProblem } from './errors.js';
import { placementKey, SLOT_MS } from './shard.js';
import { MAX_HASH_KEY } from './stream.js';
import type { SimulatedStream } from './stream.js';
import { streamOf } from './state.js';
import type { RequestBody, SimulatorState } from './state.js';

const MiB = 1024 * 1024;
const MAX_RECORDS = 500;
const MAX_PARTITION_KEY_LENGTH = 256;
/** The request model's bound on one record's data; the stream's maximum record size is checked after. */
const MAX_DATA_BYTES = 10 * MiB;
/** Data plus partition keys of one request. */
const MAX_REQUEST_BYTES = 10 * MiB;
const EXPLICIT_HASH_KEY_PATTERN = '0|([1-9]\\d{0,38})';
const EXPLICIT_HASH_KEY = new RegExp(`^(?:${EXPLICIT_HASH_KEY_PATTERN})$`);
/** How the service shows one entry of the list in a validation message (a Java object's name). */
const ENTRY_NAME = 'com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310';

/** One request entry, as checked. */
interface Entry {
  readonly Data: string;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string;
}

/**
 * The problems of the request model in the `Records` field.
 *
 * @param records - The field as sent.
 * @returns The broken constraints, in the service's order.
 */
function modelProblems(records: unknown): ConstraintProblem[] {
  if (!Array.isArray(records)) return [[null, 'records', 'Member must not be null']];
  if (records.length === 0) return [['[]', 'records', 'Member must have length greater than or equal to 1']];
  if (records.length > MAX_RECORDS) {
    return [[`[${Array<string>(records.length).fill(ENTRY_NAME).join(', ')}]`, 'records', `Member must have length less than or equal to ${MAX_RECORDS}`]];
  }
  const problems: ConstraintProblem[] = [];
  records.forEach((record: Partial<Record<keyof Entry, unknown>>, index) => {
    const at = `records.${index + 1}.member`;
    const { Data: data, PartitionKey: key, ExplicitHashKey: hashKey } = record ?? {};
    if (typeof data !== 'string') problems.push([null, `${at}.data`, 'Member must not be null']);
    else if (Buffer.byteLength(data, 'base64') > MAX_DATA_BYTES) {
      const length = Buffer.byteLength(data, 'base64');
      problems.push([`java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]`, `${at}.data`, `Member must have length less than or equal to ${MAX_DATA_BYTES}`]);
    }
    if (typeof key !== 'string') problems.push([null, `${at}.partitionKey`, 'Member must not be null']);
    else if (key.length < 1) problems.push([key, `${at}.partitionKey`, 'Member must have length greater than or equal to 1']);
    else if (key.length > MAX_PARTITION_KEY_LENGTH) problems.push([key, `${at}.partitionKey`, `Member must have length less than or equal to ${MAX_PARTITION_KEY_LENGTH}`]);
    if (hashKey !== undefined && hashKey !== null && !(typeof hashKey === 'string' && EXPLICIT_HASH_KEY.test(hashKey))) {
      problems.push([String(hashKey), `${at}.explicitHashKey`, `Member must satisfy regular expression pattern: ${EXPLICIT_HASH_KEY_PATTERN}`]);
    }
  });
  return problems;
}

/**
 * The size of each record (data plus partition key), after the service's argument checks.
 *
 * @param stream - The stream written to.
 * @param records - The entries, past the model checks.
 * @returns The bytes of each record.
 * @throws `InvalidArgumentException` for an explicit hash key out of range, a record over the
 *   stream's maximum record size, or a request over 10 MiB.
 */
function recordSizes(stream: SimulatedStream, records: readonly Entry[]): number[] {
  const sizes: number[] = [];
  let total = 0;
  records.forEach((record, index) => {
    const hashKey = record.ExplicitHashKey;
    if (hashKey !== undefined && hashKey !== null && BigInt(hashKey) > MAX_HASH_KEY) {
      throw invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${hashKey}`);
    }
    const bytes = Buffer.byteLength(record.Data, 'base64') + Buffer.byteLength(record.PartitionKey, 'utf8');
    if (bytes > stream.maxRecordBytes) {
      throw invalidArgument(
        `Record ${index + 1} is ${bytes} bytes (data plus partition key), over the maximum record size of ${stream.maxRecordBytes} bytes of stream ${stream.name}.`,
      );
    }
    sizes.push(bytes);
    total += bytes;
  });
  if (total > MAX_REQUEST_BYTES) throw invalidArgument('Records size exceeds 10 MB limit');
  return sizes;
}

/** Throws the whole-request throttles the configured chances draw. */
function drawThrottles(state: SimulatorState, stream: SimulatedStream): void {
  const { requestThrottleChance, kmsThrottleChance } = state.faults;
  if (requestThrottleChance > 0 && state.random() < requestThrottleChance) throw requestThrottled(stream.name, state.account);
  if (kmsThrottleChance > 0 && state.random() < kmsThrottleChance) throw kmsThrottled(stream.name, state.account);
}

/**
 * Answers a `PutRecords` request: each record accepted (stored, with the next sequence number of
 * the stream) or throttled by the buckets of the shard its hash key maps to, in request order.
 *
 * @param state - The simulator.
 * @param body - The request.
 * @param now - The time of arrival, on the monotonic clock.
 * @returns The answer's JSON: `FailedRecordCount`, one entry per record in order, `EncryptionType`.
 * @throws A `ServiceError` when the request is refused as a whole (see the module).
 */
export function putRecords(state: SimulatorState, body: RequestBody, now: number): string {
  const problems = modelProblems(body['Records']);
  if (problems.length > 0) throw validationError(problems);
  const stream = streamOf(state, body);
  const records = body['Records'] as readonly Entry[];
  const sizes = recordSizes(stream, records);
  drawThrottles(state, stream);

  const arrivalMs = Date.now();
  const slot = Math.floor((now - state.countersSince) / SLOT_MS);
  const entries: string[] = new Array<string>(records.length);
  let failed = 0;
  for (let index = 0; index < records.length; index++) {
    const { Data: data, PartitionKey: partitionKey } = records[index]!;
    const explicitHashKey = records[index]!.ExplicitHashKey ?? undefined;
    const shard = stream.route(placementKey(partitionKey, explicitHashKey));
    const bytes = sizes[index]!;
    if (shard.admit(bytes, now)) {
      const sequenceNumber = stream.issueSequenceNumber();
      shard.records.push({ sequenceNumber, partitionKey, explicitHashKey, data, bytes, arrivalMs });
      shard.timeline.count(slot, bytes);
      entries[index] = `{"SequenceNumber":"${sequenceNumber}","ShardId":"${shard.id}"}`;
    } else {
      failed += 1;
      shard.timeline.count(slot, undefined);
      entries[index] = shard.throttledEntry;
    }
  }
  return `{"FailedRecordCount":${failed},"Records":[${entries.join(',')}],"EncryptionType":"NONE"}`;
}
