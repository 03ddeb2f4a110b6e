/**
 * Durations as pipeline files write them (`'250ms'`, `'5s'`, `'1m'`) or as milliseconds.
 *
 * @module
 */
import * as t from 'io-ts';

/**
 * A duration written with a unit: milliseconds, seconds, minutes or hours.
 *
 * @example
 * ```ts
 * const flushAfter: DurationString = `${config.flushSeconds}s`;
 * toKinesis({ streamName: 'events', batch: { duration: flushAfter } });
 * ```
 * @category Configuration
 */
export type DurationString = `${number}ms` | `${number}s` | `${number}m` | `${number}h`;

/**
 * A duration: milliseconds as a number, or a string such as `'250ms'`, `'5s'`, `'1m'`.
 *
 * @example
 * ```ts
 * toKinesis({ streamName: 'events', batch: { duration: '250ms' }, retry: { minDelay: 50, maxDelay: '2s' }, requestTimeout: '10s' });
 * ```
 * @category Configuration
 */
export type Duration = number | DurationString;

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a duration, or `undefined` when the value is not a duration.
 *
 * @example
 * ```ts
 * durationToMs('5s');   // 5000
 * durationToMs(250);    // 250
 * durationToMs('soon'); // undefined
 * ```
 * @param value - A number of milliseconds, or a string with a unit (`ms`, `s`, `m`, `h`).
 * @returns The duration in milliseconds, or `undefined` if `value` is not a finite, non-negative duration.
 * @category Configuration
 */
export function durationToMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION_PATTERN.exec(value.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

/**
 * io-ts codec for {@link Duration}: accepts non-negative milliseconds or a string with a unit.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(Duration.decode('5s'));   // true
 * isRight(Duration.decode(1500));   // true
 * isRight(Duration.decode('soon')); // false
 * ```
 * @category Configuration
 */
export const Duration: t.Type<Duration> = new t.Type<Duration>(
  'a duration',
  (u): u is Duration => durationToMs(u) !== undefined,
  (u, c) => (durationToMs(u) !== undefined ? t.success(u as Duration) : t.failure(u, c)),
  t.identity,
);
