/**
 * `rxjs-kinesis`: pipe any RxJS Observable into an AWS Kinesis Data Stream, with an outcome for
 * every record; read a stream back; pack records the KPL way.
 *
 * @example
 * ```ts
 * import { toKinesis } from 'rxjs-kinesis';
 *
 * events$.pipe(toKinesis({ streamName: 'events' })).subscribe((result) => console.log(result.failedRecordCount));
 * ```
 * @packageDocumentation
 */

// Producer
export { toKinesis } from './producer/toKinesis.js';
export { countFailures } from './producer/results.js';
export type { KinesisBatchResult, KinesisRecordResult, KinesisRecordSuccess, KinesisRecordFailure } from './producer/results.js';
export type { ShardLimitState } from './producer/shardScheduler.js';
export { ToKinesisConfig, toKinesisConfigCodec, BatchConfig, BacklogConfig, AggregationConfig, ShardLimitConfig, OrderingConfig, validateToKinesisConfig } from './producer/config.js';
export { TO_KINESIS_DEFAULTS, effectiveBatchSize, DEFAULT_AGGREGATE_MAX_BYTES, MAX_AGGREGATED_BATCH_SIZE } from './producer/defaults.js';

// Backpressure
export { fromReadable, pauseWhenBusy } from './producer/backpressure.js';
export type { Pausable, WaterMarks } from './producer/backpressure.js';
export type { Backlog } from './producer/backlog.js';

// Reader
export { fromKinesis } from './reader/fromKinesis.js';
export { FromKinesisConfig, FROM_KINESIS_DEFAULTS, validateFromKinesisConfig } from './reader/config.js';
export type { StartingPosition } from './reader/config.js';
export type { KinesisReadRecord } from './reader/readRecords.js';

// Configuration shared by both
export { RetryConfig } from './shared/retry.js';
export { Duration, durationToMs } from './shared/duration.js';
export type { DurationString } from './shared/duration.js';
export type { KinesisCredentials } from './shared/client.js';
export type { Logger } from './shared/logger.js';

// Errors
export { KinesisConfigError } from './shared/errors.js';
export { KinesisBacklogOverflowError, PRECEDING_RECORD_FAILED } from './producer/errors.js';
export type { ClientErrorCode } from './producer/errors.js';
export { RETRYABLE_RECORD_ERROR_CODES, THROTTLED_ERROR_CODE, TIMEOUT_ERROR_CODES } from './kinesis/errorCodes.js';

// KPL aggregation format
export { encodeAggregate, decodeAggregate, AggregateBuilder, KPL_MAGIC, KPL_OVERHEAD_BYTES } from './kinesis/kpl.js';
export type { UserRecord } from './kinesis/kpl.js';

// Service limits
export {
  MiB,
  MAX_RECORDS_PER_REQUEST,
  MAX_BYTES_PER_REQUEST,
  SERVICE_MAX_BYTES_PER_REQUEST,
  SHARD_RECORDS_PER_SECOND,
  SHARD_BYTES_PER_SECOND,
  DEFAULT_MAX_RECORD_BYTES,
  MAX_RECORD_BYTES_CEILING,
  MAX_PARTITION_KEY_LENGTH,
  MAX_EXPLICIT_HASH_KEY,
  MAX_GET_RECORDS_LIMIT,
  MAX_GET_RECORDS_PER_SECOND,
  MIN_POLL_INTERVAL_MS,
} from './kinesis/limits.js';

// Pipeline file (the `aws_kinesis` output of a pipeline YAML file)
export { loadAwsKinesisOutput, parsePipelineYaml, AwsKinesisOutput, AwsKinesisBatch, AwsKinesisCredentials } from './pipeline/awsKinesisOutput.js';
export type { PipelineOptions } from './pipeline/awsKinesisOutput.js';
