/**
 * Settings: a validated {@link ToKinesisConfig} with every default filled in and every duration
 * in milliseconds, ready for the operator.
 *
 * @module
 */
import { asyncScheduler } from 'rxjs';
import type { BacklogLimits } from './backlog.js';
import type { BatchLimits } from './batching.js';
import { validateToKinesisConfig } from './config.js';
import type { ToKinesisConfig } from './config.js';
import { effectiveBatchSize, TO_KINESIS_DEFAULTS } from './defaults.js';
import type { AfterFailure } from './keyOrder.js';
import { explicitHashKeyOf, partitionKeyOf } from './partitionKey.js';
import type { PreparedRecord, RecordOptions } from './prepareRecord.js';
import { defaultSerialize } from './serialize.js';
import { MAX_RECORD_BYTES_CEILING, MAX_RECORDS_PER_REQUEST, SERVICE_MAX_BYTES_PER_REQUEST } from '../kinesis/limits.js';
import { requestLimitsFor } from './planner.js';
import type { RequestLimits } from './planner.js';
import type { ShardLimitState } from './shardScheduler.js';
import type { ShardCeiling } from './shardLimiter.js';
import { resolveConnection } from '../shared/connection.js';
import type { Connection } from '../shared/connection.js';
import { durationToMs } from '../shared/duration.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { retryPolicy } from '../shared/retry.js';
import type { RetryPolicy } from '../shared/retry.js';

/** Everything the operator needs, resolved. */
export interface Settings<T> extends Connection {
  /** How items become records; with `maxRecordBytes: 'stream'`, `maxRecordBytes` is the 10 MiB ceiling (the stream's own limit is checked when known). */
  readonly records: RecordOptions<T>;
  /** `maxRecordBytes: 'stream'`: records are checked against the stream's own limit (`DescribeStreamSummary`) before they are sent. */
  readonly followStreamRecordLimit: boolean;
  readonly batch: BatchLimits<PreparedRecord<T>>;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly backlog: BacklogLimits;
  /** With aggregation: the largest aggregate, partition key included; `undefined` without. */
  readonly aggregation: { readonly maxBytes: number } | undefined;
  /** Records and bytes per `PutRecords` request (bytes from `batch.maxBytes`). */
  readonly requests: RequestLimits;
  /** The shard limiter's ceiling and report hook; `undefined` with `shardLimit: false`. */
  readonly shardLimit: ShardLimitSettings | undefined;
  /** Per-key ordering: what happens after a record fails for good; `undefined`: no ordering. */
  readonly keyOrdering: { readonly afterFailure: AfterFailure } | undefined;
}

/** The resolved `shardLimit` block. */
export interface ShardLimitSettings extends ShardCeiling {
  readonly onSnapshot: ((shards: readonly ShardLimitState[]) => void) | undefined;
  readonly snapshotIntervalMs: number;
}

/** A callback that never throws: what it throws is logged at `error`. */
function guarded<A extends unknown[]>(callback: ((...args: A) => void) | undefined, field: string, logger: Logger): ((...args: A) => void) | undefined {
  return (
    callback &&
    ((...args: A) => {
      try {
        callback(...args);
      } catch (error) {
        logger.error(`${field} threw: ${messageOf(error)}`);
      }
    })
  );
}

/** `shardLimit.snapshotInterval` is taken as at least this (a shorter one would keep a core busy). */
const MIN_SNAPSHOT_INTERVAL_MS = 100;

/** A setting over its cap is taken at the cap, with a warning (as the `aws_kinesis` output does for `batch.size`). */
function capped(value: number, cap: number, field: string, logger: Logger): number {
  if (value <= cap) return value;
  logger.warn(`${field} ${value} is over the service limit; using ${cap}`);
  return cap;
}

/**
 * Validates a configuration and fills in its defaults.
 *
 * @param config - The configuration as given.
 * @returns The resolved settings.
 * @throws {@link KinesisConfigError} when the configuration is invalid.
 */
export function resolveSettings<T>(config: ToKinesisConfig<T>): Settings<T> {
  const valid = validateToKinesisConfig<T>(config);
  const batch = { ...TO_KINESIS_DEFAULTS.batch, ...valid.batch };
  const concurrency = valid.concurrency ?? TO_KINESIS_DEFAULTS.concurrency;
  const connection = resolveConnection(valid);
  const { logger } = connection;
  const followStream = valid.maxRecordBytes === 'stream';
  // With 'stream', records are checked against the stream's limit once it is known (StreamRecordLimit), and aggregates stay within any stream's.
  const maxRecordBytes = typeof valid.maxRecordBytes === 'number' ? valid.maxRecordBytes : TO_KINESIS_DEFAULTS.maxRecordBytes;
  const aggregation =
    valid.aggregation === undefined || valid.aggregation === false
      ? undefined
      : { maxBytes: (valid.aggregation === true ? undefined : valid.aggregation.maxBytes) ?? Math.min(TO_KINESIS_DEFAULTS.aggregation.maxBytes, maxRecordBytes) };
  const maxCount = capped(batch.size, effectiveBatchSize(batch.size, valid.aggregation), 'batch.size', logger);
  const maxWeight = capped(batch.maxBytes, SERVICE_MAX_BYTES_PER_REQUEST, 'batch.maxBytes', logger);
  const shardLimit = valid.shardLimit === false ? undefined : { ...TO_KINESIS_DEFAULTS.shardLimit, ...valid.shardLimit };
  return {
    ...connection,
    records: {
      partitionKeyOf: partitionKeyOf(valid.partitionKey, aggregation !== undefined),
      explicitHashKeyOf: explicitHashKeyOf(valid.explicitHashKey),
      serialize: valid.serialize ?? defaultSerialize,
      maxRecordBytes: followStream ? MAX_RECORD_BYTES_CEILING : maxRecordBytes,
    },
    followStreamRecordLimit: followStream,
    batch: {
      maxCount,
      maxWeight,
      weight: (record) => record.bytes,
      durationMs: durationToMs(batch.duration)!,
      scheduler: valid.scheduler ?? asyncScheduler,
    },
    concurrency,
    aggregation,
    requests: requestLimitsFor(aggregation === undefined ? maxCount : MAX_RECORDS_PER_REQUEST, maxWeight),
    shardLimit: shardLimit && {
      recordsPerSecond: shardLimit.recordsPerSecond,
      bytesPerSecond: shardLimit.bytesPerSecond,
      onSnapshot: guarded(shardLimit.onSnapshot, 'shardLimit.onSnapshot', logger),
      snapshotIntervalMs: Math.max(MIN_SNAPSHOT_INTERVAL_MS, durationToMs(shardLimit.snapshotInterval)!),
    },
    keyOrdering:
      valid.ordering === undefined || valid.ordering === 'none'
        ? undefined
        : { afterFailure: (valid.ordering === 'key' ? undefined : valid.ordering.afterFailure) ?? TO_KINESIS_DEFAULTS.keyOrdering.afterFailure },
    retry: retryPolicy(valid.retry, TO_KINESIS_DEFAULTS.retry),
    backlog: {
      maxRecords: valid.backlog?.maxRecords ?? Infinity,
      maxBytes: valid.backlog?.maxBytes ?? Infinity,
      overflow: valid.backlog?.overflow ?? 'fail',
      onChange: guarded(valid.backlog?.onChange, 'backlog.onChange', logger),
    },
  };
}
