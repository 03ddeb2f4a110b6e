/**
 * Settings: a validated {@link ToKinesisConfig} with every default filled in and every duration
 * in milliseconds, ready for the operator.
 *
 * @module
 */
import { asyncScheduler } from 'rxjs';
import { MAX_AGGREGATED_BATCH_SIZE } from './aggregation.js';
import type { BacklogLimits } from './backlog.js';
import type { BatchLimits } from './batching.js';
import { leaseClient } from './client.js';
import type { ClientLease } from './client.js';
import { DEFAULTS, validateConfig } from './config.js';
import type { Logger, ToKinesisConfig } from './config.js';
import { durationToMs } from './duration.js';
import { messageOf } from './errors.js';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from './limits.js';
import { explicitHashKeyOf, partitionKeyOf } from './partitionKey.js';
import type { StreamTarget } from './wire.js';
import type { PreparedRecord, RecordOptions } from './records.js';
import type { RetryPolicy } from './retry.js';
import { defaultSerialize } from './serialize.js';

/** Everything the operator needs, resolved. */
export interface Settings<T> {
  readonly streamName: string;
  readonly target: StreamTarget;
  readonly records: RecordOptions<T>;
  readonly batch: BatchLimits<PreparedRecord<T>>;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly backlog: BacklogLimits;
  readonly leaseClient: () => ClientLease;
  /** With aggregation: the largest aggregate, partition key included; `undefined` without. */
  readonly aggregation: { readonly maxBytes: number } | undefined;
}

const noop = (): void => undefined;

/** The default logger: warnings and errors to the console, nothing else. */
const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message) => console.warn(`rxjs-kinesis: ${message}`),
  error: (message) => console.error(`rxjs-kinesis: ${message}`),
};

/** The given logger, each method a no-op when left out, and never throwing into the operator. */
function safeLogger(given: Partial<Logger>): Logger {
  const safe = (method: ((message: string) => void) | undefined) => (message: string) => {
    try {
      method?.(message);
    } catch {
      // A logger that throws must not cost a record its outcome.
    }
  };
  return { debug: safe(given.debug), info: safe(given.info), warn: safe(given.warn), error: safe(given.error) };
}

/** A setting over its cap is taken at the cap, with a warning (as the seed does for `batch.size`). */
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
  const valid = validateConfig<T>(config);
  const logger = safeLogger(valid.logger ?? consoleLogger);
  const onChange = valid.backlog?.onChange;
  const streamName = valid.streamName ?? valid.streamARN!.slice(valid.streamARN!.indexOf(':stream/') + ':stream/'.length);
  const batch = { ...DEFAULTS.batch, ...valid.batch };
  const retry = valid.retry === false ? { maxAttempts: 1, minDelay: 0, maxDelay: 0 } : { ...DEFAULTS.retry, ...valid.retry };
  const concurrency = valid.concurrency ?? DEFAULTS.concurrency;
  const maxRecordBytes = valid.maxRecordBytes ?? DEFAULTS.maxRecordBytes;
  const aggregation =
    valid.aggregation === undefined || valid.aggregation === false
      ? undefined
      : { maxBytes: (valid.aggregation === true ? undefined : valid.aggregation.maxBytes) ?? Math.min(DEFAULTS.aggregation.maxBytes, maxRecordBytes) };
  return {
    streamName,
    target: valid.streamARN === undefined ? { StreamName: streamName } : { StreamARN: valid.streamARN },
    records: {
      partitionKeyOf: partitionKeyOf(valid.partitionKey),
      explicitHashKeyOf: explicitHashKeyOf(valid.explicitHashKey),
      serialize: valid.serialize ?? defaultSerialize,
      maxRecordBytes,
    },
    batch: {
      maxCount: capped(batch.size, aggregation === undefined ? MAX_RECORDS_PER_REQUEST : MAX_AGGREGATED_BATCH_SIZE, 'batch.size', logger),
      maxWeight: capped(batch.maxBytes, MAX_BYTES_PER_REQUEST, 'batch.maxBytes', logger),
      weight: (record) => record.bytes,
      durationMs: durationToMs(batch.duration)!,
      scheduler: valid.scheduler ?? asyncScheduler,
    },
    concurrency,
    aggregation,
    retry: { maxAttempts: retry.maxAttempts, minDelayMs: durationToMs(retry.minDelay)!, maxDelayMs: durationToMs(retry.maxDelay)! },
    logger,
    backlog: {
      maxRecords: valid.backlog?.maxRecords ?? Infinity,
      maxBytes: valid.backlog?.maxBytes ?? Infinity,
      overflow: valid.backlog?.overflow ?? 'fail',
      onChange:
        onChange &&
        ((backlog) => {
          try {
            onChange(backlog);
          } catch (error) {
            logger.error(`backlog.onChange threw: ${messageOf(error)}`);
          }
        }),
    },
    leaseClient: () =>
      leaseClient({
        client: valid.client,
        region: valid.region,
        endpoint: valid.endpoint,
        credentials: valid.credentials,
        maxSockets: concurrency,
        requestTimeoutMs: durationToMs(valid.requestTimeout ?? DEFAULTS.requestTimeout)!,
      }),
  };
}
