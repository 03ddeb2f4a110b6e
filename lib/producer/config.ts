/**
 * The configuration of {@link toKinesis}: an io-ts codec that is the single source of the config
 * type, and the validator that turns unknown input into a typed config or a
 * {@link KinesisConfigError} listing every problem with its field path.
 *
 * @module
 */
import * as t from 'io-ts';
import type { SchedulerLike } from 'rxjs';
import type { Backlog } from './backlog.js';
import { effectiveBatchSize, MIN_AGGREGATE_MAX_BYTES, TO_KINESIS_DEFAULTS } from './defaults.js';
import { MAX_RECORD_BYTES_CEILING } from '../kinesis/limits.js';
import type { ShardLimitState } from './shardScheduler.js';
import { callback, either, FieldPath, flagOrBlock, isFunction, isObject, PositiveInteger, refined } from '../shared/codecs.js';
import { connectionProblems, connectionProps } from '../shared/connection.js';
import type { StreamNamed } from '../shared/connection.js';
import { Duration } from '../shared/duration.js';
import { RetryConfig, retryDelayProblems } from '../shared/retry.js';
import { checkConfig } from '../shared/validation.js';

const RecordByteLimit = refined(
  `a whole number of bytes from 1 to ${MAX_RECORD_BYTES_CEILING} (10 MiB)`,
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0 && u <= MAX_RECORD_BYTES_CEILING,
);

const Scheduler = refined(
  'an RxJS scheduler',
  (u): u is SchedulerLike => isObject(u) && isFunction(u['now']) && isFunction(u['schedule']),
);

/**
 * The `batch` block: when a batch is closed and sent.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(BatchConfig.decode({ size: 100, duration: '1s' })); // true
 * ```
 * @category Configuration
 */
export const BatchConfig = t.partial({
  /**
   * Items per batch (and so per `PutRecords` request). Default 500; a larger value is capped at
   * 500 with a warning (with `aggregation`, at 50,000: items are then packed into fewer records).
   */
  size: PositiveInteger,
  /** How long the first item of a batch may wait for the batch to fill before it is sent anyway. Default `'5s'`. */
  duration: Duration,
  /**
   * Bytes (data plus partition keys) per batch, and so per `PutRecords` request. Default 5 MiB,
   * which every Kinesis and the local emulators take; up to 10 MiB (the service's request limit
   * since 2025; kinesalite and kinesis-mock refuse bodies over about 7 MiB). Over 10 MiB, 10 MiB is
   * used, with a warning.
   */
  maxBytes: PositiveInteger,
});

/**
 * The `backlog` block: a bound on what waits in memory, and a hook to apply backpressure.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(BacklogConfig.decode({ maxRecords: 10_000, overflow: 'fail' })); // true
 * ```
 * @category Configuration
 */
export const BacklogConfig = t.partial({
  /** Records waiting at most (buffered, queued or in flight). Default: no bound. */
  maxRecords: PositiveInteger,
  /** Bytes waiting at most (a single record larger than this is let in when nothing waits). Default: no bound. */
  maxBytes: PositiveInteger,
  /**
   * What happens to an item that would take the backlog over a bound. `'fail'`: it is reported as
   * failed with `BufferOverflow` (the items refused in one tick together, in one result), and
   * nothing else changes; an item refused by `maxRecords` is not serialized first.
   * `'error'`: the operator takes no more items; what waits is sent and reported, then the output
   * errors with a {@link KinesisBacklogOverflowError} that carries the refused item. Default `'fail'`.
   */
  overflow: refined<'fail' | 'error'>("'fail' or 'error'", (u): u is 'fail' | 'error' => u === 'fail' || u === 'error'),
  /**
   * Called with the backlog each time it changes: pause a source able to pause (a Node stream, a
   * queue consumer) above a high-water mark, and resume it below a low one.
   */
  onChange: callback<(backlog: Backlog) => void>(),
});

/** `retry: false` (one attempt, failures reported and logged) or the retry block. */
const Retry = flagOrBlock('false or { maxAttempts?, minDelay?, maxDelay? }', t.literal(false), RetryConfig);

/**
 * The `aggregation` block: how large a KPL aggregate may be.
 *
 * @example
 * ```ts
 * events$.pipe(toKinesis({ streamName: 'events', aggregation: { maxBytes: 256 * 1024 }, batch: { size: 10_000, duration: '1s' } }));
 * ```
 * @category Configuration
 */
export const AggregationConfig = t.partial({
  /**
   * Largest aggregate in bytes, counting the magic, the protobuf, the MD5 and the aggregate's
   * partition key. From 1 KiB to `maxRecordBytes`. Default 1,047,552 (1 MiB - 1 KiB), or
   * `maxRecordBytes` when that is lower.
   */
  maxBytes: refined(
    `a whole number of bytes from ${MIN_AGGREGATE_MAX_BYTES} to ${MAX_RECORD_BYTES_CEILING} (10 MiB)`,
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= MIN_AGGREGATE_MAX_BYTES && u <= MAX_RECORD_BYTES_CEILING,
  ),
});

/** `aggregation: true`, `false`, or the aggregation block. */
const Aggregation = flagOrBlock('true, false or { maxBytes? }', t.boolean, AggregationConfig);

/** Records per second: a positive number. */
const Rate = refined('a positive number', (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0);

/**
 * The `shardLimit` block: the per-shard rate limiter. Each shard gets a budget of records and
 * bytes per second, open until the shard first throttles, then adapted to the service's answers
 * (cut on a throttle, grown back while sends succeed) up to the ceiling set here; it reopens once
 * it has gone 10 s without a throttle and without holding a record back. While every
 * budget is open, records are sent in order, as without the limiter.
 *
 * @example
 * ```ts
 * // Leave a quarter of every shard to another application writing to the same stream, and export the budgets:
 * events$.pipe(toKinesis({ streamName: 'events', shardLimit: { recordsPerSecond: 750, bytesPerSecond: 768 * 1024, onSnapshot: (shards) => exporter.push(shards) } }));
 * ```
 * @category Configuration
 */
export const ShardLimitConfig = t.partial({
  /** The most records per second this producer sends to one shard: the ceiling its budget grows back to. Default 1,000 (the service's shard limit). */
  recordsPerSecond: Rate,
  /** The most bytes (data plus partition key) per second this producer sends to one shard. Default 1 MiB (the service's shard limit). */
  bytesPerSecond: Rate,
  /**
   * Called every `snapshotInterval` with each shard's state: its budget, whether it is engaged,
   * the records waiting for it, accepted and throttled. A metrics exporter in a few lines. Default: none.
   */
  onSnapshot: callback<(shards: readonly ShardLimitState[]) => void>(),
  /** How often `onSnapshot` is called (at least every 100 ms). Default `'1s'`. */
  snapshotInterval: Duration,
});

/**
 * The `ordering` block: per-key ordering, and what happens after a record fails for good.
 *
 * @example
 * ```ts
 * const ordering: OrderingConfig = { by: 'key', afterFailure: 'fail' };
 * ```
 * @category Configuration
 */
export const OrderingConfig = t.intersection([
  t.type({
    /** `'key'`: records with the same partition key land in the order they entered. */
    by: t.literal('key'),
  }),
  t.partial({
    /**
     * What happens to the records of a key queued behind one that failed for good (not
     * retryable, or out of attempts). `'send'`: they go on, in order (the failed one is missing
     * from the key's sequence, and reported). `'fail'`: those already waiting when it failed are
     * failed with `PrecedingRecordFailed` (records that enter later are sent as usual).
     * Default `'send'`.
     */
    afterFailure: refined<'send' | 'fail'>("'send' or 'fail'", (u): u is 'send' | 'fail' => u === 'send' || u === 'fail'),
  }),
]);

/** `ordering: 'none'`, `'key'`, or the block. */
const Ordering = flagOrBlock(
  "'none', 'key' or { by: 'key', afterFailure? }",
  refined<'none' | 'key'>("'none' or 'key'", (u): u is 'none' | 'key' => u === 'none' || u === 'key'),
  OrderingConfig,
);

/** `shardLimit: false` (today's sending: no budget, `concurrency` batches in flight) or the block. */
const ShardLimit = flagOrBlock('false or { recordsPerSecond?, bytesPerSecond?, onSnapshot?, snapshotInterval? }', t.literal(false), ShardLimitConfig);

/**
 * The config codec for items of type `T`. Only the item callbacks depend on `T`; the runtime
 * checks are the same for every `T`, so {@link ToKinesisConfig} (the codec for any item) serves
 * for validation.
 *
 * @example
 * ```ts
 * const OrderConfig = toKinesisConfigCodec<Order>();
 * const result = OrderConfig.decode(JSON.parse(text)); // an io-ts Either
 * ```
 * @returns An io-ts codec whose type is `ToKinesisConfig<T>`.
 * @category Configuration
 */
export function toKinesisConfigCodec<T>() {
  return t.partial({
    ...connectionProps,
    /**
     * Where each record's partition key comes from. A string is a field path read from each item
     * (`'customer_id'`, `'order.id'`; a string or number value); a function computes the key
     * (`() => 'all'` gives one static key). Default: a fresh random UUID v4 per record.
     * A missing, empty or over-256-character key fails that record alone with `InvalidPartitionKey`.
     * Pipeline file: `partition_key`.
     */
    partitionKey: either("a field path such as 'customer_id' or 'order.id', or a function", FieldPath, callback<(item: T) => string | number>()),
    /**
     * Computes an explicit hash key (decimal, 0 .. 2^128-1) that overrides the hash of the
     * partition key; `undefined` means none. An invalid value fails that record with
     * `InvalidExplicitHashKey`. Default: none.
     */
    explicitHashKey: callback<(item: T) => string | undefined>(),
    /**
     * Turns an item into the bytes sent. Default: a `Uint8Array`/`Buffer` as is, a string as
     * UTF-8, anything else as `JSON.stringify`. A value that cannot be serialized fails that
     * record with `SerializationError`.
     */
    serialize: callback<(item: T) => Uint8Array | string>(),
    /** When a batch is closed: by count, bytes and time. Pipeline file: `batch.size`, `batch.duration`. */
    batch: BatchConfig,
    /**
     * Largest record (data plus partition key) in bytes: a record over it fails alone with
     * `RecordTooLarge`. Default 1 MiB (the limit of a stream unless raised); at most 10 MiB.
     * `'stream'`: the stream's own limit (`MaxRecordSizeInKiB`, 1 to 10 MiB, raised with
     * `UpdateMaxRecordSize`), asked once per subscription with `DescribeStreamSummary` (needs
     * `kinesis:DescribeStreamSummary`); batches wait for the answer (at most `requestTimeout`),
     * and without one (no permission, an emulator that does not report it) the limit is 1 MiB,
     * with one warning. With `'stream'`, `aggregation.maxBytes` is at most 1 MiB.
     */
    maxRecordBytes: either(`${RecordByteLimit.name}, or 'stream'`, RecordByteLimit, t.literal('stream')),
    /**
     * `PutRecords` calls in flight at once. Default 1: one request at a time, results in batch
     * order. With `shardLimit` on, it bounds requests, not batches: a batch whose records wait for
     * a shard's budget holds no slot, and results still come in batch order at 1 (in the order
     * batches finish above 1). With `shardLimit: false`, it bounds batches, as `mergeMap` does.
     */
    concurrency: PositiveInteger,
    /** Retries of records that failed with a retryable error; `false` for a single attempt. Default `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }`. */
    retry: Retry,
    /** Scheduler for the time-based flush (use a `TestScheduler` for virtual time). Default: `asyncScheduler`. */
    scheduler: Scheduler,
    /** A bound on the records and bytes waiting in memory, and a hook for backpressure. Default: no bound. */
    backlog: BacklogConfig,
    /**
     * Pack small records into KPL aggregated records (the format the KCL, Lambda and
     * `aws-kinesis-agg` unpack), grouped by the shard their keys map to: `true`, or
     * `{ maxBytes }`. `batch.size` then counts user records, up to 50,000. Needs
     * `kinesis:ListShards` to group by shard (without it: by identical keys). Default: off.
     */
    aggregation: Aggregation,
    /**
     * Per-shard rate limiting: each shard gets a budget of records and bytes per second, open
     * until the shard first throttles, then cut on each throttle and grown back while sends
     * succeed (AIMD), up to `recordsPerSecond` / `bytesPerSecond`; reopened after 10 s without a
     * throttle in which it held no record back. While a budget is engaged, records are planned into
     * requests by predicted shard (from `ListShards`), and a record waits for its shard's budget
     * (counted in the backlog) instead of being sent to be refused; while all are open, records go
     * in order, as with `false`. Without `kinesis:ListShards`,
     * records are sent without a budget (one warning). `false`: no limiter, today's sending.
     * Default on: `{ recordsPerSecond: 1000, bytesPerSecond: 1 MiB, snapshotInterval: '1s' }`.
     */
    shardLimit: ShardLimit,
    /**
     * `'key'`: records with the same partition key land in the stream in the order they entered
     * `toKinesis`, whatever fails and is retried, with any `concurrency`: a key has at most one
     * unsettled send at a time, and its next records go once the earlier ones are written (with
     * `aggregation`, a key's waiting records travel together in one aggregate). Records of other
     * keys never wait for it. Without aggregation a key's throughput is one record per round
     * trip. `{ by: 'key', afterFailure: 'fail' }` also fails a key's waiting records after one
     * fails for good (`PrecedingRecordFailed`). Default `'none'`: no ordering, no cost.
     */
    ordering: Ordering,
  });
}

/**
 * The io-ts codec of {@link ToKinesisConfig} (item callbacks typed for any item).
 *
 * @example
 * ```ts
 * const parsed = ToKinesisConfig.decode(JSON.parse(text)); // an io-ts Either; validateToKinesisConfig gives the messages
 * ```
 * @category Configuration
 */
export const ToKinesisConfig = toKinesisConfigCodec<unknown>();

/**
 * The configuration of {@link toKinesis}, derived from its io-ts codec. Every field is described
 * on the codec; `T` is the type of the items, used by the item callbacks.
 *
 * @example
 * ```ts
 * const config: ToKinesisConfig<Order> = {
 *   streamName: 'orders',
 *   partitionKey: 'customer_id',
 *   batch: { size: 500, duration: '1s' },
 * };
 * ```
 * @useDeclaredType
 * @category Configuration
 */
export type ToKinesisConfig<T> = t.TypeOf<ReturnType<typeof toKinesisConfigCodec<T>>> & StreamNamed;

/** Rules that involve more than one field; run on the raw input too, so every problem is listed at once. */
function crossFieldProblems(config: Record<string, unknown>): string[] {
  const problems = [...connectionProblems(config), ...retryDelayProblems(config['retry'], TO_KINESIS_DEFAULTS.retry)];
  const { aggregation, maxRecordBytes } = config;
  if (isObject(aggregation) && typeof aggregation['maxBytes'] === 'number') {
    const recordLimit = typeof maxRecordBytes === 'number' ? maxRecordBytes : TO_KINESIS_DEFAULTS.maxRecordBytes;
    if (aggregation['maxBytes'] > recordLimit) {
      problems.push(
        maxRecordBytes === 'stream'
          ? `aggregation.maxBytes: ${aggregation['maxBytes']} is over ${recordLimit}, the smallest record limit a stream has (maxRecordBytes: 'stream')`
          : `aggregation.maxBytes: ${aggregation['maxBytes']} is over maxRecordBytes (${recordLimit})`,
      );
    }
  }
  const { batch, backlog } = config;
  const batchSize = effectiveBatchSize(isObject(batch) ? batch['size'] : undefined, aggregation);
  if (isObject(backlog) && typeof backlog['maxRecords'] === 'number' && backlog['maxRecords'] < batchSize) {
    problems.push(
      `backlog.maxRecords: ${backlog['maxRecords']} is less than batch.size (${batchSize}): a batch could not fill, and items over the bound would fail while it waits for batch.duration (lower batch.size)`,
    );
  }
  return problems;
}

/**
 * Checks a `toKinesis` configuration.
 *
 * @example
 * ```ts
 * const config = validateToKinesisConfig<Order>({ streamName: 'orders', partitionKey: 'customer_id' });
 * ```
 * @param input - The configuration as given (any value).
 * @returns The same configuration, typed.
 * @throws {@link KinesisConfigError} listing every problem with its field path.
 * @category Configuration
 */
export function validateToKinesisConfig<T>(input: unknown): ToKinesisConfig<T> {
  return checkConfig<ToKinesisConfig<T>>(input, {
    codec: ToKinesisConfig,
    crossFieldProblems,
  });
}
