/**
 * The stream operations: `CreateStream`, `DeleteStream`, `DescribeStreamSummary`, `ListShards`
 * (paged), `SplitShard`, `MergeShards`, `UpdateMaxRecordSize`. Every change takes effect at once:
 * a stream is `ACTIVE` as soon as it is created, split or merged.
 *
 * @module
 */
import { invalidArgument, streamExists, validationError } from './errors.js';
import type { SimulatedShard } from './shard.js';
import { SimulatedStream } from './stream.js';
import type { StreamSettings } from './stream.js';
import { namedStream, streamArn, streamNameOf, streamOf } from './state.js';
import type { RequestBody, SimulatorState } from './state.js';

/** Shards a stream gets when created on demand (no `ShardCount`), as the service starts one. */
const ON_DEMAND_SHARDS = 4;
/** `MaxResults` of `ListShards` when not given, and its bound. */
const DEFAULT_LIST_SHARDS = 1_000;
const MAX_LIST_SHARDS = 10_000;
const MIN_RECORD_SIZE_KIB = 1024;
const MAX_RECORD_SIZE_KIB = 10240;
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** How a stream is created through the handle: its own write limits or maximum record size, if not the simulator's. */
export interface CreateStreamOptions extends Partial<StreamSettings['capacity']> {
  /** The largest record, data plus partition key, in KiB (1024 to 10240). Default: the simulator's (1024). */
  readonly maxRecordSizeKiB?: number;
}

/** A shard as `ListShards` describes it. */
export interface ShardDescription {
  readonly ShardId: string;
  readonly ParentShardId?: string;
  readonly AdjacentParentShardId?: string;
  readonly HashKeyRange: { readonly StartingHashKey: string; readonly EndingHashKey: string };
  readonly SequenceNumberRange: { readonly StartingSequenceNumber: string; readonly EndingSequenceNumber?: string };
}

/**
 * A shard as `ListShards` describes it.
 *
 * @param shard - The shard.
 * @returns Its description (decimal hash keys).
 */
export function describeShard(shard: SimulatedShard): ShardDescription {
  const { parent, adjacentParent } = shard.parents;
  return {
    ShardId: shard.id,
    ...(parent === undefined ? {} : { ParentShardId: parent }),
    ...(adjacentParent === undefined ? {} : { AdjacentParentShardId: adjacentParent }),
    HashKeyRange: { StartingHashKey: shard.start.toString(), EndingHashKey: shard.end.toString() },
    SequenceNumberRange: {
      StartingSequenceNumber: shard.startingSequenceNumber,
      ...(shard.endingSequenceNumber === undefined ? {} : { EndingSequenceNumber: shard.endingSequenceNumber }),
    },
  };
}

/** Whether `value` is a maximum record size the service accepts. */
const validRecordSize = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= MIN_RECORD_SIZE_KIB && value <= MAX_RECORD_SIZE_KIB;

/** The `ValidationException` of a maximum record size out of range. */
const recordSizeProblem = (value: unknown) =>
  validationError([[String(value), 'maxRecordSizeInKiB', `Member must have value between ${MIN_RECORD_SIZE_KIB} and ${MAX_RECORD_SIZE_KIB}`]]);

/**
 * Creates an `ACTIVE` stream, its hash key space split evenly over its shards.
 *
 * @param state - The simulator.
 * @param name - The stream's name.
 * @param shardCount - Its shards (at least 1).
 * @param options - Its own write limits or maximum record size, where not the simulator's.
 * @param now - The time, on the monotonic clock.
 * @returns The stream.
 * @throws `ResourceInUseException` when a stream of that name exists; `ValidationException` for a bad name, shard count or record size.
 */
export function createStream(state: SimulatorState, name: string, shardCount: number, options: CreateStreamOptions, now: number): SimulatedStream {
  if (!STREAM_NAME.test(name)) throw validationError([[name, 'streamName', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+']]);
  if (!Number.isInteger(shardCount) || shardCount < 1) throw validationError([[String(shardCount), 'shardCount', 'Member must have value greater than or equal to 1']]);
  const { maxRecordSizeKiB = state.defaults.maxRecordSizeKiB, ...capacity } = options;
  if (!validRecordSize(maxRecordSizeKiB)) throw recordSizeProblem(maxRecordSizeKiB);
  if (state.streams.has(name)) throw streamExists(name, state.account);
  const settings: StreamSettings = { capacity: { ...state.defaults.capacity, ...capacity }, maxRecordSizeKiB };
  const stream = new SimulatedStream(name, streamArn(state, name), state.account, shardCount, settings, now);
  state.streams.set(name, stream);
  return stream;
}

/**
 * `CreateStream`: `ShardCount` shards, or without it the 4 an on-demand stream starts with (an
 * on-demand stream is simulated as that many provisioned shards: it does not scale);
 * `MaxRecordSizeInKiB` if given.
 */
function createStreamOperation(state: SimulatorState, body: RequestBody, now: number): object {
  const shardCount = typeof body['ShardCount'] === 'number' ? body['ShardCount'] : ON_DEMAND_SHARDS;
  const size = body['MaxRecordSizeInKiB'];
  createStream(state, String(body['StreamName'] ?? ''), shardCount, size === undefined ? {} : { maxRecordSizeKiB: size as number }, now);
  return {};
}

/** `DeleteStream`: gone at once, with its records. */
function deleteStreamOperation(state: SimulatorState, body: RequestBody): object {
  state.streams.delete(streamOf(state, body).name);
  return {};
}

/** `DescribeStreamSummary`: an `ACTIVE`, provisioned stream, its open shards and maximum record size. */
function describeStreamSummary(state: SimulatorState, body: RequestBody): object {
  const stream = streamOf(state, body);
  return {
    StreamDescriptionSummary: {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: stream.createdAtSeconds,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'NONE',
      OpenShardCount: stream.openShards.length,
      ConsumerCount: 0,
      MaxRecordSizeInKiB: stream.settings.maxRecordSizeKiB,
    },
  };
}

/** Where a `ListShards` page starts: the stream and the index of its first shard. */
interface ListPosition {
  readonly stream: SimulatedStream;
  readonly offset: number;
}

/** The token of the page that starts at `offset`. */
const nextToken = (stream: SimulatedStream, offset: number): string => Buffer.from(JSON.stringify([stream.name, stream.instance, offset])).toString('base64');

/** Where a `ListShards` request starts: after its `NextToken`, or at the start (after `ExclusiveStartShardId`) of the stream it names. */
function listPosition(state: SimulatorState, body: RequestBody): ListPosition {
  const token = body['NextToken'];
  const named = streamNameOf(body) !== undefined;
  if (token !== undefined && named) throw invalidArgument('NextToken and StreamName cannot be provided together.');
  if (token === undefined) {
    if (!named) throw invalidArgument('Either NextToken or StreamName should be provided.');
    const stream = streamOf(state, body);
    const after = body['ExclusiveStartShardId'];
    if (typeof after !== 'string') return { stream, offset: 0 };
    const next = stream.shards.findIndex((shard) => shard.id > after);
    return { stream, offset: next === -1 ? stream.shards.length : next };
  }
  try {
    const [name, instance, offset] = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as [string, number, number];
    const stream = namedStream(state, name);
    if (stream.instance === instance && Number.isInteger(offset)) return { stream, offset };
  } catch {
    // an unreadable token is refused below
  }
  throw invalidArgument(`Invalid NextToken: ${String(token)}`);
}

/** `ListShards`: every shard in creation order, `MaxResults` (at most the simulator's page size) per page, `ShardFilter` ignored. */
function listShards(state: SimulatorState, body: RequestBody): object {
  const { stream, offset } = listPosition(state, body);
  const asked = body['MaxResults'] ?? DEFAULT_LIST_SHARDS;
  if (typeof asked !== 'number' || asked < 1 || asked > MAX_LIST_SHARDS) {
    throw validationError([[String(asked), 'maxResults', `Member must have value less than or equal to ${MAX_LIST_SHARDS}`]]);
  }
  const end = offset + Math.min(asked, state.listShardsPageSize);
  const shards = stream.shards.slice(offset, end).map(describeShard);
  return end < stream.shards.length ? { Shards: shards, NextToken: nextToken(stream, end) } : { Shards: shards };
}

/** `SplitShard`: `ShardToSplit` at `NewStartingHashKey` (decimal). */
function splitShard(state: SimulatorState, body: RequestBody, now: number): object {
  const at = body['NewStartingHashKey'];
  if (typeof at !== 'string' || !/^\d{1,39}$/.test(at)) throw validationError([[String(at ?? null), 'newStartingHashKey', 'Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})']]);
  streamOf(state, body).split(String(body['ShardToSplit']), BigInt(at), now);
  return {};
}

/** `MergeShards`: `ShardToMerge` with `AdjacentShardToMerge`. */
function mergeShards(state: SimulatorState, body: RequestBody, now: number): object {
  streamOf(state, body).merge(String(body['ShardToMerge']), String(body['AdjacentShardToMerge']), now);
  return {};
}

/** `UpdateMaxRecordSize`: the stream's largest record, 1024 to 10240 KiB. */
function updateMaxRecordSize(state: SimulatorState, body: RequestBody): object {
  const size = body['MaxRecordSizeInKiB'];
  if (!validRecordSize(size)) throw recordSizeProblem(size);
  const stream = streamOf(state, body);
  stream.settings = { ...stream.settings, maxRecordSizeKiB: size };
  return {};
}

/** An operation: the simulator, the request, the time of arrival (monotonic) → the answer's JSON object. */
export type Operation = (state: SimulatorState, body: RequestBody, now: number) => object;

/** The stream operations, by name. */
export const STREAM_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateStream: createStreamOperation,
  DeleteStream: deleteStreamOperation,
  DescribeStreamSummary: describeStreamSummary,
  ListShards: listShards,
  SplitShard: splitShard,
  MergeShards: mergeShards,
  UpdateMaxRecordSize: updateMaxRecordSize,
};
