/**
 * Error classification, as the service defines it: which failures are worth another attempt, and
 * the code that names a failure.
 *
 * @module
 */

/**
 * The code of a record (or a request) refused because its shard (or the stream) is over its write
 * limit: the signal the shard limiter follows.
 *
 * @example
 * ```ts
 * const throttled = batch.records.filter((record) => record.status === 'failed' && record.errorCode === THROTTLED_ERROR_CODE).length;
 * ```
 * @category Errors
 */
export const THROTTLED_ERROR_CODE = 'ProvisionedThroughputExceededException';

/** The service's error for a stream that does not exist (or is not visible to the caller). */
export const STREAM_NOT_FOUND_ERROR_CODE = 'ResourceNotFoundException';

/**
 * Per-record error codes after which the same record may succeed later.
 *
 * @example
 * ```ts
 * // Records still throttled after retry.maxAttempts: worth sending again later (or adding shards).
 * const later = batch.records.filter((record) => record.status === 'failed' && RETRYABLE_RECORD_ERROR_CODES.has(record.errorCode));
 * ```
 * @category Errors
 */
export const RETRYABLE_RECORD_ERROR_CODES: ReadonlySet<string> = new Set([
  THROTTLED_ERROR_CODE,
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
 * The code that names a failure: the service's exception name, or for a connection that failed or
 * was cut, Node's code (`ECONNRESET`, `ECONNREFUSED`, ...), which says more than the SDK's wrapper
 * name.
 *
 * @param error - What a request rejected with.
 * @returns The code; `'UnknownError'` for something that is not an `Error`.
 */
export function errorCodeOf(error: unknown): string {
  if (!(error instanceof Error)) return 'UnknownError';
  const { code, $fault } = error as { code?: unknown; $fault?: unknown };
  return $fault === undefined && typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? code : error.name;
}

/** Node network error codes raised before a request could reach the service: it was not written. */
const NOT_SENT_NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Node network error codes of a connection cut or timed out after the request may have reached the service. */
const CUT_NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

/**
 * The error codes of a request abandoned for want of a complete answer: the library's deadline
 * (`requestTimeout`: `TimeoutError`), a socket timeout (`ETIMEDOUT`), the service's own. A record
 * that failed with one of them may have been written (`possiblyWritten`).
 *
 * @example
 * ```ts
 * const timedOut = batch.records.filter((record) => record.status === 'failed' && TIMEOUT_ERROR_CODES.has(record.errorCode)).length;
 * ```
 * @category Errors
 */
export const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set(['TimeoutError', 'ETIMEDOUT', 'RequestTimeout', 'RequestTimeoutException']);

/**
 * Whether a whole-request failure leaves the request's fate unknown: the service may have written
 * its records before the answer was lost (a connection cut after sending, a timeout, a 5xx
 * answer). A connection that could not be made, a refused request (4xx) or a failure before
 * sending (no credentials) leaves nothing written.
 *
 * @param error - What a request rejected with.
 * @returns `true` when the records may have been written.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message, $fault, $metadata } = error as { name?: string; code?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if (code !== undefined && NOT_SENT_NETWORK_CODES.has(code)) return false;
  if (name !== undefined && TIMEOUT_ERROR_CODES.has(name)) return !/without establishing a connection/.test(message ?? '');
  return (code !== undefined && CUT_NETWORK_CODES.has(code)) || $fault === 'server' || (status !== undefined && status >= 500);
}
