/**
 * Sending: the one place where a `PutRecords` request goes out, and where its answer, or its
 * failure, becomes one outcome per entry.
 *
 * @module
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { isRetryableRequestError, RETRYABLE_RECORD_ERROR_CODES } from './retry.js';

/** Which stream a request writes to: its name, its ARN, or both. */
export interface StreamTarget {
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

/** The outcome of one entry of one request. */
export type EntryOutcome =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string; readonly retryable: boolean };

/** Sends one `PutRecords` request; resolves with one outcome per entry, in order; rejects only when aborted. */
export type SendPutRecords = (entries: PutRecordsRequestEntry[], signal: AbortSignal) => Promise<EntryOutcome[]>;

/**
 * The error code of a failed request: the service's exception name, or for a connection that
 * failed or was cut, Node's code (`ECONNRESET`, `ECONNREFUSED`, ...), which says more than the
 * SDK's wrapper name.
 */
function requestErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'UnknownError';
  const { code, $metadata } = error as { code?: unknown; $metadata?: unknown };
  return $metadata === undefined && typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? code : error.name;
}

/** The same failure for every entry of a request. */
function failAll(count: number, errorCode: string, errorMessage: string, retryable: boolean): EntryOutcome[] {
  const outcome: EntryOutcome = { ok: false, errorCode, errorMessage, retryable };
  return new Array<EntryOutcome>(count).fill(outcome);
}

/**
 * A sender bound to a client and a stream.
 *
 * A whole-request failure (HTTP error, network error, timeout) becomes the same failed outcome
 * for every entry, marked retryable or not; per-record errors in the response are marked
 * retryable by their code.
 *
 * @param client - The Kinesis client.
 * @param target - The stream's name and/or ARN.
 * @returns A function that sends one request.
 */
export function putRecordsSender(client: KinesisClient, target: StreamTarget): SendPutRecords {
  return async (entries, signal) => {
    let response;
    try {
      response = await client.send(new PutRecordsCommand({ ...target, Records: entries }), { abortSignal: signal });
    } catch (error) {
      if (signal.aborted) throw error;
      return failAll(entries.length, requestErrorCode(error), error instanceof Error ? error.message : String(error), isRetryableRequestError(error));
    }
    const records = response.Records ?? [];
    if (records.length !== entries.length) {
      return failAll(entries.length, 'InvalidResponse', `PutRecords answered ${records.length} entries for ${entries.length} records`, false);
    }
    return records.map((record): EntryOutcome => {
      if (record.ErrorCode === undefined && record.ShardId !== undefined && record.SequenceNumber !== undefined) {
        return { ok: true, shardId: record.ShardId, sequenceNumber: record.SequenceNumber };
      }
      const errorCode = record.ErrorCode ?? 'InvalidResponse';
      return { ok: false, errorCode, errorMessage: record.ErrorMessage ?? '', retryable: RETRYABLE_RECORD_ERROR_CODES.has(errorCode) };
    });
  };
}
