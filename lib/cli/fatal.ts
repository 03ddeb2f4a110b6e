/**
 * Errors that end a run: a whole request refused, or unable to go out, for a reason that holds
 * for every request the run would make (the stream, the credentials, the endpoint). Sending the
 * rest would only fail each line the same way, slowly.
 *
 * @module
 */
import type { KinesisRecordResult } from '../index.js';

/**
 * What to check, by the error code of a request that no retry can fix. None of these is ever a
 * per-record code (a `PutRecords` answer fails single records only with throttling, internal and
 * KMS errors), so a record failed with one of them was failed with its whole request: a record
 * that fails for a reason of its own never ends the run. `ECONNREFUSED` is retried: it ends the
 * run once a record has failed with it after its last attempt.
 */
const FATAL_CODES: ReadonlyMap<string, string> = new Map([
  ['ResourceNotFoundException', 'check the stream name (--stream-name) and the region'],
  ['AccessDeniedException', 'the credentials may not write to this stream: check their policy (kinesis:PutRecords)'],
  ['UnrecognizedClientException', 'the access key is not known: check the credentials'],
  ['InvalidSignatureException', 'the request signature does not match: check the secret key'],
  ['IncompleteSignatureException', 'the request signature is incomplete: check the credentials'],
  ['MissingAuthenticationTokenException', 'the request carried no credentials: check the credentials'],
  ['ExpiredTokenException', 'the credentials have expired: renew them'],
  ['CredentialsProviderError', 'no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or credentials in --config'],
  ['ECONNREFUSED', 'nothing answers at the endpoint: check --endpoint-url'],
  ['ENOTFOUND', 'the endpoint host name is not known: check --endpoint-url and the region'],
]);

/** An error that ends the run. */
export interface FatalError {
  /** Its code (`ResourceNotFoundException`, `ECONNREFUSED`, ...). */
  readonly errorCode: string;
  /** The message of the service or of the network. */
  readonly errorMessage: string;
  /** What to check. */
  readonly hint: string;
}

/**
 * The error that ends the run, if a record's outcome is one.
 *
 * @param record - A record's outcome.
 * @returns The error, or `undefined` when the record was delivered or failed for a reason that does not end the run.
 */
export function fatalError(record: KinesisRecordResult<unknown>): FatalError | undefined {
  if (record.status === 'ok') return undefined;
  const hint = FATAL_CODES.get(record.errorCode);
  return hint === undefined ? undefined : { errorCode: record.errorCode, errorMessage: record.errorMessage, hint };
}
