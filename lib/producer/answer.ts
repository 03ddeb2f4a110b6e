/**
 * Reading a `PutRecords` answer: the one place where the service's 200 answer becomes one outcome
 * per record. An answer that cannot be read (not JSON, not the expected shape, a count of entries
 * that differs from the records sent, an entry that says neither where the record landed nor why
 * it failed) never throws: the records it does not account for fail with `InvalidResponse`,
 * retryable, and marked as possibly written (the service answered, so it may have written them).
 *
 * @module
 */
import { RETRYABLE_RECORD_ERROR_CODES } from '../kinesis/errorCodes.js';

/** The outcome of one record of one request. */
export type EntryOutcome =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | {
      readonly ok: false;
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly retryable: boolean;
      /** The attempt's fate is unknown: the record may have been written (a cut connection, a timeout, an unreadable answer). */
      readonly possiblyWritten: boolean;
    };

/** The code of a record whose outcome an answer does not say. */
export const INVALID_RESPONSE = 'InvalidResponse';

/**
 * The same failure for every record of a request.
 *
 * @param count - Records in the request.
 * @param failure - The failure.
 * @returns One outcome per record (the same object).
 */
export function failAll(count: number, failure: EntryOutcome & { readonly ok: false }): EntryOutcome[] {
  return new Array<EntryOutcome>(count).fill(failure);
}

/** An outcome the answer does not give. */
const unreadable = (errorMessage: string): EntryOutcome & { readonly ok: false } => ({
  ok: false,
  errorCode: INVALID_RESPONSE,
  errorMessage,
  retryable: true,
  possiblyWritten: true,
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The outcome of one entry. A field may be absent or `null` (kinesis-mock writes
 * `"ErrorCode":null` on every record written; both mean "no such field").
 */
function entryOutcome(entry: unknown, index: number): EntryOutcome {
  if (!isObject(entry)) return unreadable(`PutRecords answer entry ${index} is not an object`);
  const { ShardId, SequenceNumber, ErrorCode, ErrorMessage } = entry;
  if (ErrorCode == null && typeof ShardId === 'string' && typeof SequenceNumber === 'string') return { ok: true, shardId: ShardId, sequenceNumber: SequenceNumber };
  if (typeof ErrorCode === 'string' && ErrorCode !== '') {
    return {
      ok: false,
      errorCode: ErrorCode,
      errorMessage: typeof ErrorMessage === 'string' ? ErrorMessage : '',
      retryable: RETRYABLE_RECORD_ERROR_CODES.has(ErrorCode),
      possiblyWritten: false,
    };
  }
  return unreadable(`PutRecords answer entry ${index} gives neither a shard and sequence number nor an error code`);
}

/**
 * Reads the body of a 200 answer to a `PutRecords` request of `count` records.
 *
 * @example
 * ```ts
 * readAnswer('{"FailedRecordCount":0,"Records":[{"ShardId":"shardId-000000000000","SequenceNumber":"1"}]}', 1);
 * // [{ ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1' }]
 * ```
 * @param body - The answer's body, as text.
 * @param count - Records sent.
 * @returns Exactly `count` outcomes, in the order of the records sent. Never throws.
 */
export function readAnswer(body: string, count: number): EntryOutcome[] {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return failAll(count, unreadable(`PutRecords answered with a body that is not JSON (${Buffer.byteLength(body)} bytes)`));
  }
  const entries = isObject(answer) ? answer['Records'] : undefined;
  if (!Array.isArray(entries)) return failAll(count, unreadable('PutRecords answered without a list of Records'));
  if (entries.length !== count) return failAll(count, unreadable(`PutRecords answered ${entries.length} entries for ${count} records`));
  const outcomes = new Array<EntryOutcome>(count);
  for (let index = 0; index < count; index++) outcomes[index] = entryOutcome(entries[index], index);
  return outcomes;
}
