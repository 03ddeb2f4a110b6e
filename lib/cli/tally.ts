/**
 * The outcomes of a run's records, counted: every record read ends up in exactly one count; and
 * the retries, as far as the results tell them.
 *
 * @module
 */
import { countFailures, TIMEOUT_ERROR_CODES } from '../index.js';
import type { KinesisBatchResult } from '../index.js';
import { formatCounts } from '../shared/format.js';


/** Why a record read has no outcome. */
export type Unresolved = 'notSent' | 'noOutcome';

/**
 * The counts of a run. Every record read is, in the end, delivered, failed, not sent (the run
 * stopped before it was sent: an error no retry could fix) or without an outcome (the run was
 * stopped at once while it waited: it may have been written).
 */
export class Tally {
  /** Records delivered. */
  delivered = 0;
  /** Records that failed. */
  failed = 0;
  /** Records read and never sent. */
  notSent = 0;
  /** Records read whose outcome is unknown. */
  noOutcome = 0;
  /** `PutRecords` requests sent again: the retry rounds of every batch (a round is one request unless its records need more). */
  retriedRequests = 0;
  /** Records sent again: each retry of a record counts once. */
  resentRecords = 0;
  /**
   * Records delivered that may be in the stream more than once: an earlier attempt's outcome was
   * unknown (it timed out, its connection was cut, it got a 5xx answer), so it may have written the
   * record too (`possiblyDuplicated`).
   */
  possiblyDuplicated = 0;
  /** Failed records that may have been written all the same (`possiblyWritten`). */
  failedPossiblyWritten = 0;
  /** Failed records whose last attempt timed out. */
  timedOut = 0;
  readonly #failedByCode = new Map<string, number>();

  /** Counts the outcomes of one batch, and its retries. */
  batch(result: KinesisBatchResult<unknown>): void {
    this.delivered += result.successfulRecordCount;
    this.failed += result.failedRecordCount;
    if (result.failedRecordCount > 0) countFailures(result.records, this.#failedByCode);
    if (result.attempts > 1) this.retriedRequests += result.attempts - 1;
    for (const record of result.records) {
      const resent = Math.max(0, record.attempts - 1);
      this.resentRecords += resent;
      if (record.status === 'ok') {
        if (record.possiblyDuplicated === true) this.possiblyDuplicated += 1;
      } else {
        if (record.possiblyWritten) this.failedPossiblyWritten += 1;
        if (TIMEOUT_ERROR_CODES.has(record.errorCode)) this.timedOut += 1;
      }
    }
  }

  /** Counts a record that failed alone, outside any batch (refused before sending). */
  failedAlone(errorCode: string): void {
    this.failed += 1;
    this.#failedByCode.set(errorCode, (this.#failedByCode.get(errorCode) ?? 0) + 1);
  }

  /** Counts records read that got no outcome, and why. */
  unresolved(why: Unresolved, count: number): void {
    this[why] += count;
  }

  /** The failures by error code, most frequent first: `'InvalidPartitionKey x3, RecordTooLarge x1'`. */
  failureCodes(): string {
    return formatCounts(this.#failedByCode);
  }
}
