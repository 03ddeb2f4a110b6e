/**
 * Retry policy: which failures are worth another attempt, and how long to wait before it.
 *
 * @module
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import * as t from 'io-ts';
import { isObject, PositiveInteger } from './codecs.js';
import { Duration, durationToMs } from './duration.js';
import type { Logger } from './logger.js';
import { errorCodeOf, isRetryableRequestError } from '../kinesis/errorCodes.js';

/**
 * The `retry` block: how records that failed with a retryable error are sent again.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(RetryConfig.decode({ maxAttempts: 3, maxDelay: '1s' })); // true
 * ```
 * @category Configuration
 */
export const RetryConfig = t.partial({
  /** Attempts in all, the first included: of a record's `PutRecords` (toKinesis), of one request (fromKinesis). Default 10. */
  maxAttempts: PositiveInteger,
  /** Shortest wait before a retry. Default `'100ms'`. */
  minDelay: Duration,
  /** Longest wait before a retry (the backoff doubles up to it, with full jitter). Default `'5s'`. */
  maxDelay: Duration,
});

/** The retry defaults of `toKinesis` and `fromKinesis`: `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }`. */
export const RETRY_DEFAULTS: Required<t.TypeOf<typeof RetryConfig>> = { maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' };

/** How records that failed with a retryable error are sent again. */
export interface RetryPolicy {
  /** Attempts in all, the first included; 1 means no retry. */
  readonly maxAttempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** A `retry` block with every field given (the defaults of a config). */
export interface RetryDefaults {
  readonly maxAttempts: number;
  readonly minDelay: Duration;
  readonly maxDelay: Duration;
}

/**
 * Problems of a `retry` block whose shortest wait is longer than its longest.
 *
 * @param retry - The `retry` field as given (any value; only an object is checked).
 * @param defaults - The config's defaults, for a bound left out.
 * @returns One problem line, or none.
 */
export function retryDelayProblems(retry: unknown, defaults: RetryDefaults): string[] {
  if (!isObject(retry)) return [];
  const min = durationToMs(retry['minDelay'] ?? defaults.minDelay);
  const max = durationToMs(retry['maxDelay'] ?? defaults.maxDelay);
  return min !== undefined && max !== undefined && min > max ? [`retry.minDelay: ${min} ms is longer than retry.maxDelay (${max} ms)`] : [];
}

/**
 * The policy of a validated `retry` block: `false` is a single attempt; fields left out take the defaults.
 *
 * @param retry - The validated `retry` field.
 * @param defaults - The config's defaults.
 * @returns The policy, in milliseconds.
 */
export function retryPolicy(retry: false | Partial<RetryDefaults> | undefined, defaults: RetryDefaults): RetryPolicy {
  if (retry === false) return { maxAttempts: 1, minDelayMs: 0, maxDelayMs: 0 };
  const given = { ...defaults, ...retry };
  return { maxAttempts: given.maxAttempts, minDelayMs: durationToMs(given.minDelay)!, maxDelayMs: durationToMs(given.maxDelay)! };
}

/**
 * The wait before retry number `retry` (1 for the first retry): exponential backoff with full
 * jitter, a random time between `minDelayMs` and `min(maxDelayMs, minDelayMs * 2^retry)`.
 *
 * @param policy - The retry policy.
 * @param retry - Which retry this is, from 1.
 * @param random - A source of numbers in [0, 1).
 * @returns Milliseconds to wait.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** retry);
  return policy.minDelayMs + random() * Math.max(0, ceiling - policy.minDelayMs);
}

/**
 * Waits `ms` milliseconds.
 *
 * @param ms - How long.
 * @param signal - Ends the wait early, rejecting with an `AbortError`.
 * @returns When the time is up.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, { signal });
}

/** How requests are retried and waited for. */
export interface RetryOptions {
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /** Aborts the request in flight and the wait before a retry; no request starts once it is aborted. */
  readonly signal: AbortSignal;
  /** Waits `ms` (rejects when `signal` is aborted). Default: a timer. */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Numbers in [0, 1) for the jitter. Default `Math.random`. */
  readonly random?: (() => number) | undefined;
}

/**
 * Makes a request, and makes it again after a backoff while it fails with a retryable error
 * (throttling, 5xx, timeouts, cut connections), up to `retry.maxAttempts` attempts.
 *
 * @param call - Makes the request.
 * @param what - What the request is, for the debug log.
 * @param options - Retry policy, logger, abort signal.
 * @returns What the request returned.
 * @throws The last error when it is not retryable or the attempts are used up; an `AbortError` once aborted.
 */
export async function withRetry<R>(call: () => Promise<R>, what: string, options: RetryOptions): Promise<R> {
  const { retry, logger, signal, sleep: wait = sleep, random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (signal.aborted || attempt >= retry.maxAttempts || !isRetryableRequestError(error)) throw error;
      const delay = backoffDelay(retry, attempt, random);
      logger.debug(`${what} failed with ${errorCodeOf(error)} (attempt ${attempt} of ${retry.maxAttempts}); retrying in ${Math.round(delay)} ms`);
      await wait(delay, signal);
    }
  }
}
