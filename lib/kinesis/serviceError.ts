/**
 * The service's error answers (HTTP 4xx and 5xx with an `application/x-amz-json-1.1` body), as
 * the SDK's exceptions: the modeled class of the error's code when the client package has one
 * (`ResourceNotFoundException`, `ProvisionedThroughputExceededException`, ...), otherwise a
 * `KinesisServiceException` named by the code, as the SDK's own parser does for codes it does not
 * model. Used where an answer is read without the SDK's parser.
 *
 * @module
 */
import * as kinesis from '@aws-sdk/client-kinesis';
import { KinesisServiceException } from '@aws-sdk/client-kinesis';

/** What is needed of an HTTP answer. */
export interface ErrorAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body, as text. */
  readonly body: string;
}

type ModeledException = new (options: { message: string; $metadata: KinesisServiceException['$metadata'] }) => KinesisServiceException;

/** The client package's modeled exception classes, by name. */
const MODELED = new Map<string, ModeledException>(
  (Object.entries(kinesis) as [string, unknown][]).filter(
    (entry): entry is [string, ModeledException] => typeof entry[1] === 'function' && (entry[1] as { prototype: unknown }).prototype instanceof KinesisServiceException,
  ),
);

/**
 * The error code of an answer as the AWS JSON protocols give it: the `x-amzn-errortype` header, or
 * the body's `__type` / `code`, without a namespace (`com.amazonaws.kinesis.v20131202#`) or a
 * suffix after `:`.
 */
function answerErrorCode(headers: ErrorAnswer['headers'], parsed: Record<string, unknown> | undefined): string | undefined {
  const raw = headers['x-amzn-errortype'] ?? parsed?.['__type'] ?? parsed?.['code'] ?? parsed?.['Code'];
  if (typeof raw !== 'string' || raw === '') return undefined;
  const name = raw.split(':')[0]!;
  return name.slice(name.lastIndexOf('#') + 1);
}

/**
 * The SDK exception for an error answer to a request.
 *
 * @example
 * ```ts
 * serviceError({ statusCode: 400, headers: {}, body: '{"__type":"ResourceNotFoundException","message":"Stream s not found"}' });
 * // ResourceNotFoundException { name: 'ResourceNotFoundException', $fault: 'client', message: 'Stream s not found', $metadata: { httpStatusCode: 400 } }
 * ```
 * @param answer - Status, headers (lower-case names) and body of the answer.
 * @returns The exception: its `name` the error code (`UnknownError` when the answer names none), `$fault`, `$metadata` with the status and request id.
 */
export function serviceError(answer: ErrorAnswer): KinesisServiceException {
  let parsed: Record<string, unknown> | undefined;
  let readable = true;
  try {
    const value: unknown = JSON.parse(answer.body);
    if (typeof value === 'object' && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    readable = false;
  }
  const code = answerErrorCode(answer.headers, parsed) ?? 'UnknownError';
  const given = parsed?.['message'] ?? parsed?.['Message'];
  // As the SDK's parser: a JSON answer without a message says 'UnknownError'. (For a body that is not
  // JSON, a proxy's error page, the SDK's parser gives a SyntaxError; the size is said instead of the page.)
  const message = typeof given === 'string' ? given : readable ? 'UnknownError' : `HTTP ${answer.statusCode} answer whose body is not JSON (${Buffer.byteLength(answer.body)} bytes)`;
  const $metadata: KinesisServiceException['$metadata'] = {
    httpStatusCode: answer.statusCode,
    requestId: answer.headers['x-amzn-requestid'],
    extendedRequestId: answer.headers['x-amz-id-2'],
    attempts: 1,
    totalRetryDelay: 0,
  };
  const Modeled = MODELED.get(code);
  if (Modeled !== undefined) return new Modeled({ message, $metadata });
  return new KinesisServiceException({ name: code, $fault: answer.statusCode >= 500 ? 'server' : 'client', message, $metadata });
}
