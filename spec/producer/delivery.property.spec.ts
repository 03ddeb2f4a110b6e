/**
 * Property tests of delivery (fast-check, no network): over random batch shapes and random
 * per-attempt failure patterns, a scripted sender stands in for the service and records every
 * request, and the batch result is checked against what was sent and answered.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { asyncScheduler, from } from 'rxjs';
import { silentLogger } from '../support/collect.js';
import { mulberry32 } from '../support/faultProxy.js';
import type { KinesisBatchResult } from '../../lib/index.js';
import { decodeAggregate } from '../../lib/kinesis/kpl.js';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST, MiB } from '../../lib/kinesis/limits.js';
import { ShardMap } from '../../lib/kinesis/shardMap.js';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import { batchBy } from '../../lib/producer/batching.js';
import { deliverBatch } from '../../lib/producer/delivery.js';
import type { DeliveryOptions } from '../../lib/producer/delivery.js';
import type { ClientErrorCode } from '../../lib/producer/errors.js';
import { planRequests } from '../../lib/producer/planner.js';
import type { AcceptedRecord, PreparedRecord } from '../../lib/producer/prepareRecord.js';
import type { SendPutRecords } from '../../lib/producer/sender.js';
import { ShardMapCache } from '../../lib/producer/shardMapCache.js';
import type { EntryOutcome } from '../../lib/producer/answer.js';

/** An item: its id is also the record's data, so the sender knows which item an entry stands for. */
interface Item {
  readonly id: string;
}

/** The shape of one record of a batch. */
type RecordShape = { readonly rejected: false; readonly bytes: number } | { readonly rejected: true; readonly errorCode: ClientErrorCode };

const CLIENT_CODES: readonly ClientErrorCode[] = ['InvalidPartitionKey', 'InvalidExplicitHashKey', 'SerializationError', 'RecordTooLarge'];

/** A record of `bytes` (drawn by `size`), or, now and then, one refused on the client. */
const recordShape = (size: fc.Arbitrary<number>): fc.Arbitrary<RecordShape> =>
  fc.oneof(
    { weight: 12, arbitrary: size.map((bytes): RecordShape => ({ rejected: false, bytes })) },
    { weight: 1, arbitrary: fc.constantFrom(...CLIENT_CODES).map((errorCode): RecordShape => ({ rejected: true, errorCode })) },
  );

/** Small records: 500 of them fit in 5 MiB, so the count limit closes requests. */
const small = recordShape(fc.integer({ min: 1, max: 4096 }));
/** Around 10 KiB: 500 of them are close to 5 MiB, so either limit may close a request. */
const medium = recordShape(fc.integer({ min: 9 * 1024, max: 12 * 1024 }));
/** Mostly small, some up to 1 MiB: the byte limit closes requests. */
const mixed = fc.oneof({ weight: 5, arbitrary: small }, { weight: 1, arbitrary: recordShape(fc.integer({ min: 100 * 1024, max: MiB })) });

/** Batch shapes: short ones, and long ones (up to `maxLength` records, so some take several requests) of each record profile. */
const batchShape = (maxLength: number): fc.Arbitrary<RecordShape[]> =>
  fc.oneof(
    fc.array(mixed, { minLength: 1, maxLength: 20 }),
    ...[small, medium, mixed].map((profile) => fc.array(profile, { minLength: 1, maxLength, size: 'max' })),
  );

/** What happens to one request (one call of the sender). */
interface CallScript {
  /** The whole request fails (as putRecordsSender reports it: every entry the same failure). */
  readonly requestFailure: 'none' | 'retryable' | 'fatal';
  /** Chance that an entry fails with a retryable code. */
  readonly retryable: number;
  /** Chance that an entry fails with a non-retryable code. */
  readonly fatal: number;
}

const callScript: fc.Arbitrary<CallScript> = fc.record({
  requestFailure: fc.oneof({ weight: 8, arbitrary: fc.constant('none' as const) }, { weight: 2, arbitrary: fc.constant('retryable' as const) }, { weight: 1, arbitrary: fc.constant('fatal' as const) }),
  retryable: fc.double({ min: 0, max: 1, noNaN: true }),
  fatal: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true })),
});

/** A failure pattern: a script per call (calls past the end of the list succeed), and a seed for the per-entry draws. */
const failurePattern = fc.record({ calls: fc.array(callScript, { maxLength: 12 }), seed: fc.integer() });
type FailurePattern = typeof failurePattern extends fc.Arbitrary<infer P> ? P : never;

const RETRYABLE_RECORD_CODES = ['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException'];
const FATAL_RECORD_CODES = ['KMSAccessDeniedException', 'KMSDisabledException', 'KMSNotFoundException'];

function prepare(shapes: readonly RecordShape[]): PreparedRecord<Item>[] {
  return shapes.map((shape, index): PreparedRecord<Item> => {
    const item: Item = { id: `r${index}` };
    if (shape.rejected) return { accepted: false, item, partitionKey: undefined, errorCode: shape.errorCode, errorMessage: 'refused on the client', bytes: 0 };
    const data = Buffer.from(item.id);
    const partitionKey = `key-${index % 7}`;
    // The planner and the result count `bytes`; the data itself can stay small.
    const bytes = Math.max(shape.bytes, data.length + partitionKey.length);
    return { accepted: true, item, partitionKey, explicitHashKey: undefined, data, dataStart: 0, dataBytes: data.byteLength, bytes, wireBytes: entryBytes(bytes - partitionKey.length, partitionKey, undefined) };
  });
}

/** One call of the scripted sender: which items it carried, and what it answered for each. */
interface Call {
  readonly ids: string[];
  readonly answers: EntryOutcome[];
}

/** A sender that follows a failure pattern and records every call. */
function scriptedSender(pattern: FailurePattern, onCall?: (call: number) => void): SendPutRecords & { calls: Call[] } {
  const random = mulberry32(pattern.seed);
  const calls: Call[] = [];
  let sequence = 0;
  const send = async (records: readonly AcceptedRecord<unknown>[], signal: AbortSignal): Promise<EntryOutcome[]> => {
    if (signal.aborted) throw signal.reason;
    const ids = records.map((record) => Buffer.from(record.data).toString());
    const script = pattern.calls[calls.length] ?? { requestFailure: 'none', retryable: 0, fatal: 0 };
    const answers = ids.map((): EntryOutcome => {
      if (script.requestFailure === 'retryable') return { ok: false, errorCode: 'InternalFailure', errorMessage: 'request failed: 500', retryable: true, possiblyWritten: true };
      if (script.requestFailure === 'fatal') return { ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'request failed: no stream', retryable: false, possiblyWritten: false };
      const draw = random();
      if (draw < script.fatal) return { ok: false, errorCode: FATAL_RECORD_CODES[Math.floor(random() * 3)]!, errorMessage: `fatal ${sequence++}`, retryable: false, possiblyWritten: false };
      if (draw < script.fatal + script.retryable * (1 - script.fatal)) {
        return { ok: false, errorCode: RETRYABLE_RECORD_CODES[Math.floor(random() * 3)]!, errorMessage: `retryable ${sequence++}`, retryable: true, possiblyWritten: false };
      }
      return { ok: true, shardId: `shardId-00000000000${sequence % 4}`, sequenceNumber: String(sequence++) };
    });
    calls.push({ ids, answers });
    onCall?.(calls.length);
    await Promise.resolve();
    return answers;
  };
  return Object.assign(send, { calls });
}

function options(send: SendPutRecords, maxAttempts: number): DeliveryOptions {
  return { streamName: 's', send, retry: { maxAttempts, minDelayMs: 0, maxDelayMs: 1 }, logger: silentLogger };
}

/** A cheap assertion for the per-record loops (chai's are slow over thousands of records per run). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** Checks one delivered batch against the calls the sender saw. */
function checkDelivery(batch: readonly PreparedRecord<Item>[], calls: readonly Call[], result: KinesisBatchResult<Item>, maxAttempts: number): void {
  const position = new Map(batch.map((record, index) => [record.item.id, index]));
  const bytesOf = new Map(batch.map((record) => [record.item.id, record.bytes]));

  // Every request within the service limits, its entries in arrival order, no record twice.
  for (const [n, call] of calls.entries()) {
    check(call.ids.length >= 1 && call.ids.length <= MAX_RECORDS_PER_REQUEST, () => `call ${n} has ${call.ids.length} entries`);
    const bytes = call.ids.reduce((sum, id) => sum + bytesOf.get(id)!, 0);
    check(bytes <= MAX_BYTES_PER_REQUEST, () => `call ${n} carries ${bytes} bytes`);
    const positions = call.ids.map((id) => position.get(id)!);
    for (let i = 1; i < positions.length; i++) check(positions[i]! > positions[i - 1]!, () => `call ${n} out of arrival order: ${positions.join(',')}`);
  }

  // What each record was answered, call after call.
  const history = new Map<string, EntryOutcome[]>();
  for (const call of calls) {
    call.ids.forEach((id, i) => {
      const answers = history.get(id) ?? [];
      answers.push(call.answers[i]!);
      history.set(id, answers);
    });
  }

  // One outcome per item, in arrival order, the item itself.
  expect(result.records).to.have.length(batch.length);
  expect(result.recordCount).to.equal(batch.length);
  result.records.forEach((outcome, index) => check(outcome.item === batch[index]!.item, () => `outcome ${index} is for ${outcome.item.id}`));

  let ok = 0;
  batch.forEach((record, index) => {
    const outcome = result.records[index]!;
    const id = record.item.id;
    const answers = history.get(id) ?? [];
    const show = () => `${id}: outcome ${JSON.stringify({ ...outcome, item: undefined })}, answers ${JSON.stringify(answers)}`;
    if (!record.accepted) {
      check(answers.length === 0, () => `refused on the client but sent: ${show()}`);
      check(outcome.status === 'failed' && outcome.errorCode === record.errorCode && outcome.attempts === 0, show);
      return;
    }
    check(answers.length >= 1 && answers.length <= maxAttempts, () => `sent ${answers.length} times (maxAttempts ${maxAttempts}): ${show()}`);
    check(outcome.attempts === answers.length, () => `attempts differ from the sends: ${show()}`);
    check(outcome.partitionKey === record.partitionKey, show);
    // Sent again only after a retryable failure: never after ok, never after a fatal error.
    for (const answer of answers.slice(0, -1)) check(!answer.ok && answer.retryable, () => `resent after ${JSON.stringify(answer)}: ${show()}`);
    const last = answers[answers.length - 1]!;
    if (last.ok) {
      ok++;
      check(outcome.status === 'ok' && outcome.shardId === last.shardId && outcome.sequenceNumber === last.sequenceNumber, show);
    } else {
      check(outcome.status === 'failed' && outcome.errorCode === last.errorCode && outcome.errorMessage === last.errorMessage, show);
      // A retryable failure is final only when the attempts ran out.
      check(!last.retryable || answers.length === maxAttempts, () => `gave up early: ${show()}`);
    }
  });

  expect(result.successfulRecordCount).to.equal(ok);
  expect(result.successfulRecordCount + result.failedRecordCount).to.equal(result.recordCount);
  expect(result.failedRecordCount).to.equal(result.records.filter((r) => r.status === 'failed').length);
  expect(result.bytes).to.equal(batch.reduce((sum, record) => sum + record.bytes, 0));
  const rounds = Math.max(0, ...[...history.values()].map((answers) => answers.length));
  expect(result.attempts).to.equal(rounds);
  expect(result.attempts).to.be.at.most(maxAttempts);
  // Each round sends at most as many requests as the first one.
  const firstRound = planRequests(batch.flatMap((record) => (record.accepted ? [{ record }] : []))).length;
  expect(calls.length).to.be.at.most(maxAttempts * firstRound);
}

/** The batches `batchBy` makes of records, with the service limits. */
function batchesOf(records: readonly PreparedRecord<Item>[]): PreparedRecord<Item>[][] {
  const batches: PreparedRecord<Item>[][] = [];
  from(records)
    .pipe(batchBy<PreparedRecord<Item>>({ maxCount: MAX_RECORDS_PER_REQUEST, maxWeight: MAX_BYTES_PER_REQUEST, weight: (r) => r.bytes, durationMs: 3_600_000, scheduler: asyncScheduler }))
    .subscribe((batch) => batches.push(batch));
  return batches;
}

/**
 * Runs bounded in time: shrinking a failing case of hundreds of records can take minutes, so the
 * run (shrinking included) stops after a few seconds and reports what it has found so far.
 */
const bounded = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, interruptAfterTimeLimit: 8_000, markInterruptAsFailure: true });

describe('deliverBatch properties (fast-check)', function () {
  this.timeout(30_000);

  it('any batch, any failure pattern: one outcome per item in arrival order, ok never resent, requests within limits, attempts bounded', async () => {
    await fc.assert(
      fc.asyncProperty(batchShape(1200), failurePattern, fc.integer({ min: 1, max: 8 }), async (shapes, pattern, maxAttempts) => {
        const batch = prepare(shapes);
        const send = scriptedSender(pattern);
        const result = await deliverBatch(batch, options(send, maxAttempts), new AbortController().signal);
        checkDelivery(batch, send.calls, result, maxAttempts);
      }),
      bounded(150),
    );
  });

  it('batches as batchBy closes them fit one request, so a batch costs at most maxAttempts requests', async () => {
    await fc.assert(
      fc.asyncProperty(batchShape(1500), failurePattern, fc.integer({ min: 1, max: 6 }), async (shapes, pattern, maxAttempts) => {
        const records = prepare(shapes);
        const batches = batchesOf(records);
        const flat = batches.flat();
        expect(flat.length).to.equal(records.length);
        flat.forEach((record, index) => check(record === records[index], () => `batchBy moved record ${index}`));
        for (const batch of batches) {
          expect(batch.length).to.be.within(1, MAX_RECORDS_PER_REQUEST);
          const accepted = batch.flatMap((record) => (record.accepted ? [{ record }] : []));
          expect(planRequests(accepted).length).to.be.at.most(1);
          const send = scriptedSender(pattern);
          const result = await deliverBatch(batch, options(send, maxAttempts), new AbortController().signal);
          expect(send.calls.length).to.be.at.most(maxAttempts);
          expect(send.calls.length).to.equal(result.attempts);
          checkDelivery(batch, send.calls, result, maxAttempts);
        }
      }),
      bounded(100),
    );
  });

  it('aborted at any call: rejects with the abort, and sends nothing after it', async () => {
    await fc.assert(
      fc.asyncProperty(batchShape(1200), failurePattern, fc.integer({ min: 1, max: 6 }), async (shapes, pattern, abortAt) => {
        const batch = prepare(shapes);
        const controller = new AbortController();
        const send = scriptedSender(pattern, (call) => call === abortAt && controller.abort());
        const outcome = await deliverBatch(batch, options(send, 8), controller.signal).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        if ('error' in outcome) {
          expect(controller.signal.aborted).to.equal(true);
          expect(outcome.error).to.have.property('name', 'AbortError');
          expect(send.calls.length).to.equal(abortAt);
        } else {
          // Finished before (or with) the call that aborts.
          expect(send.calls.length).to.be.at.most(abortAt);
          checkDelivery(batch, send.calls, outcome.result, 8);
        }
      }),
      bounded(100),
    );
  });
});

/** Records whose data really has their size (aggregation packs data bytes): the id, padded with spaces. */
function prepareSized(shapes: readonly RecordShape[]): PreparedRecord<Item>[] {
  return prepare(shapes).map((record) => {
    if (!record.accepted) return record;
    const data = Buffer.alloc(record.bytes - record.partitionKey.length, ' ');
    data.write(record.item.id);
    return { ...record, data, dataBytes: data.byteLength, wireBytes: entryBytes(data.byteLength, record.partitionKey, undefined) };
  });
}

/** The user record ids a Kinesis record carries, and whether it is an aggregate. */
function idsIn(data: Uint8Array): { ids: string[]; aggregated: boolean } {
  const users = decodeAggregate(data);
  return users === undefined ? { ids: [Buffer.from(data).toString().trim()], aggregated: false } : { ids: users.map((u) => Buffer.from(u.data).toString().trim()), aggregated: true };
}

describe('deliverBatch with aggregation, properties (fast-check)', function () {
  this.timeout(60_000);

  it('any batch, any failure pattern: aggregates resent whole, one outcome per item with its index, requests and aggregates within limits', async () => {
    const top = 2n ** 128n - 1n;
    await fc.assert(
      fc.asyncProperty(
        batchShape(600),
        failurePattern,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(4 * 1024, 64 * 1024, MiB - 1024),
        async (shapes, pattern, maxAttempts, shardCount, maxBytes) => {
          const shards = Array.from({ length: shardCount }, (_, i) => ({
            ShardId: `shardId-${i}`,
            HashKeyRange: { StartingHashKey: String((top / BigInt(shardCount)) * BigInt(i) + (i === 0 ? 0n : 1n)), EndingHashKey: String((top / BigInt(shardCount)) * BigInt(i + 1)) },
            SequenceNumberRange: { StartingSequenceNumber: '0' },
          }));
          const truth = ShardMap.fromShards(shards)!;
          const batch = prepareSized(shapes);
          const random = mulberry32(pattern.seed);
          // Kinesis records sent, by their bytes: the answers each one got
          const sends = new Map<string, EntryOutcome[]>();
          let calls = 0;
          let sequence = 0;
          const send: SendPutRecords = async (records) => {
            const script = pattern.calls[calls++] ?? { requestFailure: 'none', retryable: 0, fatal: 0 };
            check(records.length <= MAX_RECORDS_PER_REQUEST, () => `${records.length} records in a request`);
            check(records.reduce((sum, r) => sum + r.bytes, 0) <= MAX_BYTES_PER_REQUEST, () => 'request over 5 MiB');
            return records.map((record): EntryOutcome => {
              const answer: EntryOutcome =
                script.requestFailure === 'retryable'
                  ? { ok: false, errorCode: 'InternalFailure', errorMessage: '500', retryable: true, possiblyWritten: true }
                  : script.requestFailure === 'fatal'
                    ? { ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'no stream', retryable: false, possiblyWritten: false }
                    : random() < script.retryable
                      ? { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down', retryable: true, possiblyWritten: false }
                      : { ok: true, shardId: truth.predict(record.partitionKey, record.explicitHashKey), sequenceNumber: String(sequence++) };
              const key = Buffer.from(record.data).toString('base64');
              sends.set(key, [...(sends.get(key) ?? []), answer]);
              return answer;
            });
          };
          const shardMaps = new ShardMapCache(async () => shards, silentLogger, 's');
          const result = await deliverBatch(batch, { ...options(send, maxAttempts), aggregation: { maxBytes, shardMaps } }, new AbortController().signal);

          // each Kinesis record: sent again only after a retryable failure; an aggregate within maxBytes, its records on one shard
          const where = new Map<string, { answers: EntryOutcome[]; index: number | undefined }>();
          for (const [key, answers] of sends) {
            const data = Buffer.from(key, 'base64');
            for (const answer of answers.slice(0, -1)) check(!answer.ok && answer.retryable, () => `resent after ${JSON.stringify(answer)}`);
            const { ids, aggregated } = idsIn(data);
            if (aggregated) check(data.byteLength <= maxBytes, () => `aggregate of ${data.byteLength} bytes over ${maxBytes}`);
            ids.forEach((id, index) => {
              check(!where.has(id), () => `${id} packed into two Kinesis records`);
              where.set(id, { answers, index: aggregated ? index : undefined });
            });
          }
          expect(result.records).to.have.length(batch.length);
          batch.forEach((record, position) => {
            const outcome = result.records[position]!;
            check(outcome.item === record.item, () => `outcome ${position} is for ${outcome.item.id}`);
            const sent = where.get(record.item.id);
            if (!record.accepted) return check(sent === undefined && outcome.status === 'failed' && outcome.attempts === 0, () => `${record.item.id} refused but sent`);
            check(sent !== undefined, () => `${record.item.id} never sent`);
            const last = sent!.answers[sent!.answers.length - 1]!;
            check(outcome.attempts === sent!.answers.length && sent!.answers.length <= maxAttempts, () => `${record.item.id}: attempts ${outcome.attempts}, sends ${sent!.answers.length}`);
            if (last.ok) {
              check(outcome.status === 'ok' && outcome.shardId === last.shardId && outcome.sequenceNumber === last.sequenceNumber && outcome.subSequenceNumber === sent!.index, () => `${record.item.id}: ${JSON.stringify({ ...outcome, item: undefined })}`);
              check(truth.predict(record.partitionKey) === last.shardId, () => `${record.item.id} landed on ${last.shardId}`);
            } else {
              check(outcome.status === 'failed' && outcome.errorCode === last.errorCode, () => `${record.item.id}: ${JSON.stringify(outcome)}`);
            }
          });
          expect(result.kinesisRecordCount).to.equal(sends.size);
          expect(result.bytes).to.equal(batch.reduce((sum, record) => sum + record.bytes, 0));
        },
      ),
      { numRuns: 60, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true },
    );
  });
});
