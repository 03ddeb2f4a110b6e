/**
 * Retry policy: which failures are worth another attempt, and how long to wait before it.
 *
 * @module
 */
import * as t from 'io-ts';
import { isObject, PositiveInteger } from './codecs.js';
import { Duration, durationToMs } from './duration.js';

/**
 * The `retry` block: how records that failed with a retryable error are sent again.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(RetryConfig.decode({ maxAttempts: 3, maxDelay: '1s' })); // true
 * ```
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
 * Per-record error codes after which the same record may succeed later.
 *
 * @example
 * ```ts
 * // Records still throttled after retry.maxAttempts: worth sending again later (or adding shards).
 * const later = batch.records.filter((record) => record.status === 'failed' && RETRYABLE_RECORD_ERROR_CODES.has(record.errorCode));
 * ```
 */
export const RETRYABLE_RECORD_ERROR_CODES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'KMSThrottlingException',
]);

/** Request-level error names after which the same request may succeed later. */
const RETRYABLE_REQUEST_ERRORS: ReadonlySet<string> = new Set([
  ...RETRYABLE_RECORD_ERROR_CODES,
  'LimitExceededException',
  'ThrottlingException',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Node network error codes: the connection failed or was cut; the request may be sent again. */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * Whether a whole-request failure is worth another attempt: throttling, 5xx, timeouts and cut
 * connections are; a missing stream, access denied, validation and KMS errors are not.
 *
 * @param error - What `client.send` rejected with.
 * @returns `true` when the request may succeed if sent again.
 */
export function isRetryableRequestError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $fault, $metadata, $retryable } = error as {
    name?: string;
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const status = $metadata?.httpStatusCode;
  return (
    (name !== undefined && RETRYABLE_REQUEST_ERRORS.has(name)) ||
    (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) ||
    $retryable !== undefined ||
    $fault === 'server' ||
    (status !== undefined && (status >= 500 || status === 429))
  );
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
