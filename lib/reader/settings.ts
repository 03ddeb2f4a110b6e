/**
 * The reader's settings: a validated {@link FromKinesisConfig} with every default filled in and
 * every duration in milliseconds.
 *
 * @module
 */
import { FROM_KINESIS_DEFAULTS, validateFromKinesisConfig } from './config.js';
import type { FromKinesisConfig, StartingPosition } from './config.js';
import { resolveConnection } from '../shared/connection.js';
import type { Connection } from '../shared/connection.js';
import { durationToMs } from '../shared/duration.js';
import { retryPolicy } from '../shared/retry.js';
import type { RetryPolicy } from '../shared/retry.js';

/** Everything the reader needs, resolved: defaults filled in, durations in milliseconds. */
export interface ReadSettings extends Connection {
  readonly startingPosition: StartingPosition;
  readonly pollIntervalMs: number;
  readonly limit: number;
  readonly shardSyncIntervalMs: number;
  readonly retry: RetryPolicy;
}

/**
 * Validates a configuration and fills in its defaults.
 *
 * @param config - The configuration as given.
 * @returns The resolved settings.
 * @throws {@link KinesisConfigError} when the configuration is invalid.
 */
export function resolveReadSettings(config: FromKinesisConfig): ReadSettings {
  const valid = validateFromKinesisConfig(config);
  return {
    ...resolveConnection(valid),
    startingPosition: valid.startingPosition ?? FROM_KINESIS_DEFAULTS.startingPosition,
    pollIntervalMs: durationToMs(valid.pollInterval ?? FROM_KINESIS_DEFAULTS.pollInterval)!,
    limit: valid.limit ?? FROM_KINESIS_DEFAULTS.limit,
    shardSyncIntervalMs: durationToMs(valid.shardSyncInterval ?? FROM_KINESIS_DEFAULTS.shardSyncInterval)!,
    retry: retryPolicy(valid.retry, FROM_KINESIS_DEFAULTS.retry),
  };
}
