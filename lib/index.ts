/**
 * `rxjs-kinesis`: pipe any RxJS Observable into an AWS Kinesis Data Stream, with an outcome for
 * every record.
 *
 * @example
 * ```ts
 * import { toKinesis } from 'rxjs-kinesis';
 *
 * events$.pipe(toKinesis({ streamName: 'events' })).subscribe((result) => console.log(result.failedRecordCount));
 * ```
 * @packageDocumentation
 */
export { toKinesis } from './producer/toKinesis.js';
export { fromKinesis } from './reader/fromKinesis.js';
export {
  FromKinesisConfig,
  FROM_KINESIS_DEFAULTS,
  validateFromKinesisConfig,
} from './reader/config.js';
export type { StartingPosition } from './reader/config.js';
export type { KinesisReadRecord } from './reader/readRecords.js';
export { loadSeedConfig, parseSeedYaml, SeedKinesisOutput, SeedBatch, SeedCredentials } from './pipeline/awsKinesisOutput.js';
export type { SeedConfigOptions } from './pipeline/awsKinesisOutput.js';
export { ToKinesisConfig, toKinesisConfigCodec, BatchConfig, DEFAULTS, validateConfig } from './producer/config.js';
export { RetryConfig } from './shared/retry.js';
export { BacklogConfig, AggregationConfig } from './producer/config.js';
export { encodeAggregate, decodeAggregate, AggregateBuilder, KPL_MAGIC, KPL_OVERHEAD_BYTES } from './kinesis/kpl.js';
export type { UserRecord } from './kinesis/kpl.js';
export { DEFAULT_AGGREGATE_MAX_BYTES, MAX_AGGREGATED_BATCH_SIZE } from './producer/config.js';
export type { Backlog } from './producer/config.js';
export type { KinesisCredentials, Logger } from './shared/codecs.js';
export type { KinesisBatchResult, KinesisRecordResult, KinesisRecordSuccess, KinesisRecordFailure } from './producer/results.js';
export { KinesisConfigError, KinesisBacklogOverflowError } from './shared/errors.js';
export type { ClientErrorCode } from './shared/errors.js';
export { fromReadable, pauseWhenBusy } from './producer/backpressure.js';
export type { Pausable, WaterMarks } from './producer/backpressure.js';
export { Duration, durationToMs } from './shared/duration.js';
export type { DurationString } from './shared/duration.js';
export {
  MiB,
  MAX_RECORDS_PER_REQUEST,
  MAX_BYTES_PER_REQUEST,
  DEFAULT_MAX_RECORD_BYTES,
  MAX_RECORD_BYTES_CEILING,
  MAX_PARTITION_KEY_LENGTH,
  MAX_EXPLICIT_HASH_KEY,
  MAX_GET_RECORDS_LIMIT,
  MAX_GET_RECORDS_PER_SECOND,
  MIN_POLL_INTERVAL_MS,
} from './kinesis/limits.js';
export { RETRYABLE_RECORD_ERROR_CODES } from './shared/retry.js';
