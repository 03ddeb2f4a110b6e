/**
 * The defaults of {@link toKinesis}'s settings, and the caps the settings are held to.
 *
 * @module
 */
import type * as t from 'io-ts';
import { DEFAULT_MAX_RECORD_BYTES, MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST, MiB, SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND } from '../kinesis/limits.js';
import { DEFAULT_REQUEST_TIMEOUT } from '../shared/connection.js';
import type { Duration } from '../shared/duration.js';
import { RETRY_DEFAULTS } from '../shared/retry.js';
import type { RetryConfig } from '../shared/retry.js';

/**
 * The default largest aggregate: 1 MiB - 1 KiB (1,047,552 bytes), counting the magic, the
 * protobuf, the MD5 and the aggregate's partition key: just under the default record limit.
 *
 * @example
 * ```ts
 * // Half the default size: smaller aggregates, less to resend when one fails.
 * events$.pipe(toKinesis({ streamName: 'events', aggregation: { maxBytes: DEFAULT_AGGREGATE_MAX_BYTES / 2 } }));
 * ```
 * @category Configuration
 */
export const DEFAULT_AGGREGATE_MAX_BYTES = MiB - 1024;

/** The smallest `aggregation.maxBytes` accepted: 1 KiB. */
export const MIN_AGGREGATE_MAX_BYTES = 1024;

/**
 * The largest `batch.size` with aggregation (user records per batch): 50,000. Without
 * aggregation it is 500, the records of one `PutRecords` request; with it, a batch's user records
 * are packed into far fewer Kinesis records, and `batch.maxBytes` (5 MiB) bounds a batch too.
 *
 * @example
 * ```ts
 * events$.pipe(toKinesis({ streamName: 'events', aggregation: true, batch: { size: MAX_AGGREGATED_BATCH_SIZE, duration: '1s' } }));
 * ```
 * @category Configuration
 */
export const MAX_AGGREGATED_BATCH_SIZE = 50_000;

/**
 * The default of every optional setting, as documented on {@link ToKinesisConfig}.
 *
 * @example
 * ```ts
 * events$.pipe(toKinesis({ streamName: 'events', batch: { ...TO_KINESIS_DEFAULTS.batch, duration: '1s' } }));
 * TO_KINESIS_DEFAULTS.retry.maxAttempts; // 10
 * ```
 * @category Configuration
 */
export const TO_KINESIS_DEFAULTS: {
  /** `{ size: 500, duration: '5s', maxBytes: 5 MiB }` */
  readonly batch: {
    /** Items per batch. */
    readonly size: number;
    /** How long the first item of a batch waits, at most. */
    readonly duration: Duration;
    /** Bytes (data plus partition keys) per batch. */
    readonly maxBytes: number;
  };
  /** 1 MiB (the limit of a stream unless raised; `maxRecordBytes: 'stream'` reads the stream's own) */
  readonly maxRecordBytes: number;
  /** 1 */
  readonly concurrency: number;
  /** `'30s'` */
  readonly requestTimeout: Duration;
  /** `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }` */
  readonly retry: Required<t.TypeOf<typeof RetryConfig>>;
  /** With `aggregation: true`: `{ maxBytes: 1,047,552 }` (1 MiB - 1 KiB; at most `maxRecordBytes`, or 1 MiB with `'stream'`) */
  readonly aggregation: {
    /** Largest aggregate, partition key included. */
    readonly maxBytes: number;
  };
  /** On by default: `{ recordsPerSecond: 1000, bytesPerSecond: 1 MiB, snapshotInterval: '1s' }` (the service's shard limits as the ceiling) */
  readonly shardLimit: {
    /** The most records per second one shard's budget allows. */
    readonly recordsPerSecond: number;
    /** The most bytes per second one shard's budget allows. */
    readonly bytesPerSecond: number;
    /** How often `onSnapshot` is called, when given. */
    readonly snapshotInterval: Duration;
  };
  /** `'none'`: records are sent as they come, and a retried record can land after later records of its key. With `ordering: 'key'`: `afterFailure: 'send'`. */
  readonly ordering: 'none';
  /** With `ordering: 'key'`: `{ by: 'key', afterFailure: 'send' }` */
  readonly keyOrdering: {
    /** What records are ordered by: their partition key. */
    readonly by: 'key';
    /** What happens to a key's queued records after one fails for good. */
    readonly afterFailure: 'send' | 'fail';
  };
} = {
  batch: { size: MAX_RECORDS_PER_REQUEST, duration: '5s', maxBytes: MAX_BYTES_PER_REQUEST },
  maxRecordBytes: DEFAULT_MAX_RECORD_BYTES,
  concurrency: 1,
  requestTimeout: DEFAULT_REQUEST_TIMEOUT,
  retry: RETRY_DEFAULTS,
  aggregation: { maxBytes: DEFAULT_AGGREGATE_MAX_BYTES },
  shardLimit: { recordsPerSecond: SHARD_RECORDS_PER_SECOND, bytesPerSecond: SHARD_BYTES_PER_SECOND, snapshotInterval: '1s' },
  ordering: 'none',
  keyOrdering: { by: 'key', afterFailure: 'send' },
};

/**
 * The batch size a configuration runs with: its `batch.size` (default 500), at most 500 (the
 * records of one `PutRecords` request), or at most {@link MAX_AGGREGATED_BATCH_SIZE} with
 * aggregation on. A larger `batch.size` is taken at the cap, with a warning.
 *
 * @example
 * ```ts
 * effectiveBatchSize(undefined, undefined); // 500
 * effectiveBatchSize(10_000, undefined); // 500
 * effectiveBatchSize(10_000, true); // 10,000
 * ```
 * @param batchSize - `batch.size` as given (any value; only a number counts).
 * @param aggregation - `aggregation` as given.
 * @returns The batch size, in items.
 * @category Configuration
 */
export function effectiveBatchSize(batchSize: unknown, aggregation: unknown): number {
  const cap = aggregation === undefined || aggregation === false ? MAX_RECORDS_PER_REQUEST : MAX_AGGREGATED_BATCH_SIZE;
  return Math.min(typeof batchSize === 'number' ? batchSize : TO_KINESIS_DEFAULTS.batch.size, cap);
}
