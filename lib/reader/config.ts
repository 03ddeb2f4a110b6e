/**
 * The configuration of {@link fromKinesis}: an io-ts codec that is the single source of the config
 * type, its defaults, and its validation.
 *
 * @module
 */
import * as t from 'io-ts';
import { MAX_GET_RECORDS_LIMIT, MAX_GET_RECORDS_PER_SECOND, MIN_POLL_INTERVAL_MS } from '../kinesis/limits.js';
import { refined } from '../shared/codecs.js';
import { connectionProblems, connectionProps, DEFAULT_REQUEST_TIMEOUT } from '../shared/connection.js';
import type { StreamNamed } from '../shared/connection.js';
import { Duration, durationToMs } from '../shared/duration.js';
import { RETRY_DEFAULTS, RetryConfig, retryDelayProblems } from '../shared/retry.js';
import { checkConfig } from '../shared/validation.js';

/**
 * Where reading starts in each shard: `'TRIM_HORIZON'` (the oldest record still kept),
 * `'LATEST'` (only records written after subscribing) or a `Date` (records that arrived at or
 * after that time). How `'LATEST'` resumes after an early expired iterator, and what this
 * machine's clock has to do with it, is told on {@link FromKinesisConfig}'s `startingPosition`.
 *
 * @example
 * ```ts
 * const lastHour: StartingPosition = new Date(Date.now() - 3_600_000);
 * fromKinesis({ streamName: 'events', startingPosition: lastHour });
 * ```
 * @category Configuration
 */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | Date;

const StartingPositionCodec = refined<StartingPosition>(
  "'TRIM_HORIZON', 'LATEST' or a valid Date",
  (u): u is StartingPosition => u === 'TRIM_HORIZON' || u === 'LATEST' || (u instanceof Date && !Number.isNaN(u.getTime())),
);

const PollInterval = refined<Duration>(
  `a duration of at least ${MIN_POLL_INTERVAL_MS} ms (the service allows ${MAX_GET_RECORDS_PER_SECOND} GetRecords per second per shard)`,
  (u): u is Duration => (durationToMs(u) ?? -1) >= MIN_POLL_INTERVAL_MS,
);

const PositiveDuration = refined<Duration>('a positive duration', (u): u is Duration => (durationToMs(u) ?? 0) > 0);

const RecordLimit = refined<number>(
  `a whole number from 1 to ${MAX_GET_RECORDS_LIMIT}`,
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0 && u <= MAX_GET_RECORDS_LIMIT,
);

/**
 * The default of every optional setting of {@link fromKinesis}, as documented on {@link FromKinesisConfig}.
 *
 * @example
 * ```ts
 * fromKinesis({ streamName: 'events', retry: { ...FROM_KINESIS_DEFAULTS.retry, maxAttempts: 20 } });
 * ```
 * @category Configuration
 */
export const FROM_KINESIS_DEFAULTS: {
  /** `'TRIM_HORIZON'`: everything the stream still holds. */
  readonly startingPosition: StartingPosition;
  /** `'1s'`, as the KCL. */
  readonly pollInterval: Duration;
  /** 10,000, the service's maximum. */
  readonly limit: number;
  /** `'10s'` */
  readonly shardSyncInterval: Duration;
  /** `'30s'` */
  readonly requestTimeout: Duration;
  /** `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }`, as `toKinesis`. */
  readonly retry: Required<t.TypeOf<typeof RetryConfig>>;
} = {
  startingPosition: 'TRIM_HORIZON',
  pollInterval: '1s',
  limit: MAX_GET_RECORDS_LIMIT,
  shardSyncInterval: '10s',
  requestTimeout: DEFAULT_REQUEST_TIMEOUT,
  retry: RETRY_DEFAULTS,
};

/**
 * The io-ts codec of {@link FromKinesisConfig}: decode a configuration read from a file, or check one.
 *
 * @example
 * ```ts
 * const decoded = FromKinesisConfig.decode(JSON.parse(text)); // an io-ts Either; see also validateFromKinesisConfig
 * ```
 * @category Configuration
 */
export const FromKinesisConfig = t.partial({
  ...connectionProps,
  /**
   * Where reading starts in each shard. `'TRIM_HORIZON'`: the oldest record the stream still
   * holds (to check what was written); `'LATEST'`: only records written after subscribing (the
   * KCL's default); a `Date`: records that arrived at or after it. Shards created by a reshard
   * after subscribing are always read from their start. Default `'TRIM_HORIZON'`.
   *
   * When a shard iterator expires (it is not used for 5 minutes) reading goes on right after the
   * last record emitted. When it expires before any record of its shard was emitted, reading
   * starts again where it began: from `'TRIM_HORIZON'` or the `Date` again; for `'LATEST'`,
   * which names no fixed place, from the records that arrived at or after the time just before
   * the shard's first iterator was asked for (`AT_TIMESTAMP`). That time is this machine's, the
   * arrival times are the service's: with this clock ahead by some seconds, the records that
   * arrived in those first seconds after subscribing are skipped; with it behind, the records
   * that arrived in those last seconds before subscribing are read too. Keep the clock in sync
   * (NTP) for `'LATEST'`.
   */
  startingPosition: StartingPositionCodec,
  /**
   * The wait between two `GetRecords` calls on a shard that has caught up (an answer shorter than
   * `limit` and not behind the tip). A shard that is behind is read again after 200 ms, the
   * service's limit of 5 calls per second per shard, which is also the least this may be.
   * Default `'1s'`.
   */
  pollInterval: PollInterval,
  /** Records asked for per `GetRecords` call, 1 to 10,000. Default 10,000. */
  limit: RecordLimit,
  /**
   * How often the shards are listed again to find shards created by a reshard (they are also
   * listed whenever a shard has been read to its end). Default `'10s'`.
   */
  shardSyncInterval: PositiveDuration,
  /**
   * Retries of a request that failed with a retryable error (`ProvisionedThroughputExceededException`,
   * 5xx, timeouts, cut connections), per shard, with exponential backoff and full jitter between
   * `minDelay` and `maxDelay`. `maxAttempts` bounds the attempts of one request; past it the
   * Observable errors with the last error. Default `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }`.
   */
  retry: RetryConfig,
});

/**
 * The configuration of {@link fromKinesis}, derived from its io-ts codec. Every field is described
 * on the codec.
 *
 * @example
 * ```ts
 * const config: FromKinesisConfig = { streamName: 'orders', startingPosition: new Date(Date.now() - 60_000), pollInterval: '500ms' };
 * ```
 * @useDeclaredType
 * @category Configuration
 */
export type FromKinesisConfig = t.TypeOf<typeof FromKinesisConfig> & StreamNamed;

/**
 * Checks a `fromKinesis` configuration.
 *
 * @example
 * ```ts
 * const config = validateFromKinesisConfig({ streamName: 'orders', startingPosition: 'LATEST' });
 * ```
 * @param input - The configuration as given (any value).
 * @returns The same configuration, typed.
 * @throws {@link KinesisConfigError} listing every problem with its field path.
 * @category Configuration
 */
export function validateFromKinesisConfig(input: unknown): FromKinesisConfig {
  return checkConfig<FromKinesisConfig>(input, {
    subject: 'fromKinesis',
    codec: FromKinesisConfig,
    crossFieldProblems: (config) => [...connectionProblems(config), ...retryDelayProblems(config['retry'], FROM_KINESIS_DEFAULTS.retry)],
  });
}
