/**
 * Reading: `GetShardIterator` and `GetRecords`, enough for `fromKinesis` and for tests that read
 * a shard themselves. An iterator is a position (an index into the shard's records); it does not
 * expire. `GetRecords` returns up to `Limit` records (default 10,000) and at most 10 MiB of data;
 * `NextShardIterator` is left out once a closed shard has been read to its end (on the page that
 * returns its last records), and that page names the shard's children (`ChildShards`).
 * `MillisBehindLatest` is 0 when the page reaches the end of the shard, else the age of its last
 * record. The read limits (5 calls and 2 MiB per second per shard) are not enforced.
 *
 * @module
 */
import { invalidArgument, validationError } from './errors.js';
import type { SimulatedShard, StoredRecord } from './shard.js';
import { compareSequenceNumbers } from './stream.js';
import type { SimulatedStream } from './stream.js';
import { namedStream, streamOf } from './state.js';
import type { RequestBody, SimulatorState } from './state.js';
import type { Operation } from './streamOperations.js';

const ITERATOR_TYPES = ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];
const MAX_LIMIT = 10_000;
const MAX_PAGE_BYTES = 10 * 1024 * 1024;

/** An iterator: the stream (name and instance), the shard, the index of the next record to read. */
function encodeIterator(stream: SimulatedStream, shard: SimulatedShard, index: number): string {
  return Buffer.from(JSON.stringify([stream.name, stream.instance, shard.id, index])).toString('base64');
}

/** The position an iterator names; `InvalidArgumentException` ("Invalid ShardIterator.") when it names none. */
function decodeIterator(state: SimulatorState, iterator: unknown): { stream: SimulatedStream; shard: SimulatedShard; index: number } {
  try {
    const [name, instance, shardId, index] = JSON.parse(Buffer.from(String(iterator), 'base64').toString('utf8')) as [string, number, string, number];
    const stream = namedStream(state, name);
    if (stream.instance === instance && Number.isInteger(index)) return { stream, shard: stream.shard(shardId), index };
  } catch {
    // refused below
  }
  throw invalidArgument('Invalid ShardIterator.');
}

/**
 * The index of the first record of a shard for which `before` is false (records are in sequence and arrival order).
 *
 * @param records - The shard's records.
 * @param before - True for the records before the position.
 * @returns An index, `records.length` when every record is before it.
 */
function firstIndex(records: readonly StoredRecord[], before: (record: StoredRecord) => boolean): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(records[middle]!)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where an iterator of the request's type starts in the shard. */
function startIndex(shard: SimulatedShard, body: RequestBody): number {
  const type = body['ShardIteratorType'];
  const sequenceNumber = body['StartingSequenceNumber'];
  const bySequence = type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER';
  if (bySequence !== (typeof sequenceNumber === 'string')) {
    throw invalidArgument(
      'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ' +
        `Request specified ${String(type)} and ${bySequence ? 'no' : 'also a'} StartingSequenceNumber.`,
    );
  }
  const { records } = shard;
  switch (type) {
    case 'TRIM_HORIZON':
      return 0;
    case 'LATEST':
      return records.length;
    case 'AT_TIMESTAMP': {
      const timestamp = body['Timestamp'];
      if (typeof timestamp !== 'number') {
        throw invalidArgument('Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.');
      }
      return firstIndex(records, (record) => record.arrivalMs < timestamp * 1000);
    }
    default: {
      const at = String(sequenceNumber);
      const after = type === 'AFTER_SEQUENCE_NUMBER';
      return firstIndex(records, (record) => {
        const order = compareSequenceNumbers(record.sequenceNumber, at);
        return order < 0 || (after && order === 0);
      });
    }
  }
}

/** `GetShardIterator`: a position in one shard of the stream. */
function getShardIterator(state: SimulatorState, body: RequestBody): object {
  const type = body['ShardIteratorType'];
  if (typeof type !== 'string' || !ITERATOR_TYPES.includes(type)) {
    throw validationError([[String(type ?? null), 'shardIteratorType', `Member must satisfy enum value set: [${ITERATOR_TYPES.join(', ')}]`]]);
  }
  const stream = streamOf(state, body);
  const shard = stream.shard(String(body['ShardId']));
  return { ShardIterator: encodeIterator(stream, shard, startIndex(shard, body)) };
}

/** The children of a shard, as `GetRecords` names them at the end of a closed shard. */
function childShards(stream: SimulatedStream, shardId: string): object[] {
  return stream.shards
    .filter(({ parents }) => parents.parent === shardId || parents.adjacentParent === shardId)
    .map((child) => ({
      ShardId: child.id,
      ParentShards: [child.parents.parent, child.parents.adjacentParent].filter((parent) => parent !== undefined),
      HashKeyRange: { StartingHashKey: child.start.toString(), EndingHashKey: child.end.toString() },
    }));
}

/** `GetRecords`: the records from the iterator's position, the next iterator and how far behind it is. */
function getRecords(state: SimulatorState, body: RequestBody): object {
  const limit = body['Limit'] ?? MAX_LIMIT;
  if (typeof limit !== 'number' || limit < 1 || limit > MAX_LIMIT) {
    throw validationError([[String(limit), 'limit', `Member must have value less than or equal to ${MAX_LIMIT}`]]);
  }
  const { stream, shard, index } = decodeIterator(state, body['ShardIterator']);
  const { records } = shard;
  const page: object[] = [];
  let next = index;
  for (let bytes = 0; next < records.length && page.length < limit && (page.length === 0 || bytes + records[next]!.bytes <= MAX_PAGE_BYTES); next++) {
    const record = records[next]!;
    bytes += record.bytes;
    page.push({
      SequenceNumber: record.sequenceNumber,
      ApproximateArrivalTimestamp: record.arrivalMs / 1000,
      Data: record.data,
      PartitionKey: record.partitionKey,
    });
  }
  const atEnd = next >= records.length;
  const millisBehindLatest = atEnd ? 0 : Math.max(1, Date.now() - records[next - 1]!.arrivalMs);
  if (atEnd && !shard.open) return { Records: page, MillisBehindLatest: 0, ChildShards: childShards(stream, shard.id) };
  return { Records: page, NextShardIterator: encodeIterator(stream, shard, next), MillisBehindLatest: millisBehindLatest };
}

/** The reading operations, by name. */
export const READING_OPERATIONS: Readonly<Record<string, Operation>> = {
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};
