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
export { toKinesis } from './toKinesis.js';
export { fromKinesis } from './fromKinesis.js';
export {
  FromKinesisConfig,
  FROM_KINESIS_DEFAULTS,
  validateFromKinesisConfig,
} from './fromKinesisConfig.js';
export type { StartingPosition } from './fromKinesisConfig.js';
export type { KinesisReadRecord } from './readRecords.js';
export { loadSeedConfig, parseSeedYaml, SeedKinesisOutput, SeedBatch, SeedCredentials } from './seedConfig.js';
export type { SeedConfigOptions } from './seedConfig.js';
export { ToKinesisConfig, toKinesisConfigCodec, BatchConfig, DEFAULTS, validateConfig } from './config.js';
export { RetryConfig } from './retry.js';
export { BacklogConfig, AggregationConfig } from './config.js';
export { encodeAggregate, decodeAggregate, AggregateBuilder, KPL_MAGIC, KPL_OVERHEAD_BYTES } from './kpl.js';
export type { UserRecord } from './kpl.js';
export { DEFAULT_AGGREGATE_MAX_BYTES, MAX_AGGREGATED_BATCH_SIZE } from './config.js';
export type { Backlog } from './config.js';
export type { KinesisCredentials, Logger } from './codecs.js';
export type { KinesisBatchResult, KinesisRecordResult, KinesisRecordSuccess, KinesisRecordFailure } from './results.js';
export { KinesisConfigError, KinesisBacklogOverflowError } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export { fromReadable, pauseWhenBusy } from './backpressure.js';
export type { Pausable, WaterMarks } from './backpressure.js';
export { Duration, durationToMs } from './duration.js';
export type { DurationString } from './duration.js';
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
} from './limits.js';
export { RETRYABLE_RECORD_ERROR_CODES } from './retry.js';
