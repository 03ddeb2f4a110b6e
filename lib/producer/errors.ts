/**
 * The producer's errors: the typed error of an output stopped by its backlog bound, and why a
 * record was refused before sending.
 *
 * @module
 */

/**
 * The error of a `toKinesis` output whose `backlog.overflow` is `'error'`, when an item would
 * have taken the backlog over its bound. Everything that was waiting was sent and reported
 * first; the refused item (and any later ones) was not sent.
 *
 * @example
 * ```ts
 * events$.pipe(toKinesis({ streamName: 'events', backlog: { maxRecords: 10_000, overflow: 'error' } })).subscribe({
 *   next: (batch) => console.log(`${batch.successfulRecordCount} written`),
 *   error: (error) => {
 *     if (error instanceof KinesisBacklogOverflowError) {
 *       console.error(`stopped: ${error.message} (${error.records} records, ${error.bytes} bytes waiting)`, error.item);
 *     }
 *   },
 * });
 * ```
 * @typeParam T - The type of the items.
 * @category Errors
 */
export class KinesisBacklogOverflowError<T = unknown> extends Error {
  /** Always `'KinesisBacklogOverflowError'`. */
  override readonly name = 'KinesisBacklogOverflowError' as const;

  /**
   * @param item - The item that was refused.
   * @param records - Records waiting when it came.
   * @param bytes - Bytes waiting when it came.
   * @param message - What went over which bound.
   */
  constructor(
    /** The item that was refused. */
    readonly item: T,
    /** Records waiting when it came. */
    readonly records: number,
    /** Bytes waiting when it came. */
    readonly bytes: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The client-side error codes a record can fail with before it is sent.
 *
 * - `InvalidPartitionKey`: the key is missing, not a string or number, empty, or over 256 characters.
 * - `InvalidExplicitHashKey`: not a decimal integer in 0 .. 2^128-1.
 * - `SerializationError`: the item could not be turned into bytes (circular, BigInt, `undefined`, a throwing serializer).
 * - `RecordTooLarge`: data plus partition key is over `maxRecordBytes`.
 * - `BufferOverflow`: the backlog was at its bound (`backlog.maxRecords` / `backlog.maxBytes`) when the item came.
 * - `PrecedingRecordFailed`: with `ordering: { by: 'key', afterFailure: 'fail' }`, an older record
 *   with the same partition key failed for good while this one waited behind it.
 *
 * These records have `attempts: 0`. All but `BufferOverflow` and `PrecedingRecordFailed` are about
 * the item itself: sending it again cannot help.
 *
 * @example
 * ```ts
 * const later: ClientErrorCode = 'BufferOverflow'; // refused only because too much was waiting
 * const toResend = batch.records.filter((record) => record.status === 'failed' && record.errorCode === later).map((record) => record.item);
 * ```
 * @category Errors
 */
export type ClientErrorCode = 'InvalidPartitionKey' | 'InvalidExplicitHashKey' | 'SerializationError' | 'RecordTooLarge' | 'BufferOverflow' | 'PrecedingRecordFailed';

/** The code of a record failed because an older record of its key failed for good (`ordering.afterFailure: 'fail'`). */
export const PRECEDING_RECORD_FAILED = 'PrecedingRecordFailed' satisfies ClientErrorCode;

/**
 * Internal: why one record was refused before sending. Returned (a value, not a thrown error: no
 * stack trace per refused record) by the per-record steps (key, hash key, serialization, size)
 * and reported in the record's result; never escapes the operator. A class, so that a step can
 * tell it from whatever a user's callback returns (`instanceof`).
 */
export class RecordRejection {
  /**
   * @param errorCode - The client-side code reported in the record's result.
   * @param errorMessage - Why, in words, for the record's `errorMessage`.
   */
  constructor(
    readonly errorCode: ClientErrorCode,
    readonly errorMessage: string,
  ) {}
}
