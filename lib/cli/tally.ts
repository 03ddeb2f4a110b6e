/**
 * The outcomes of a run's records, counted: every record read ends up in exactly one count.
 *
 * @module
 */
import { countFailures } from '../index.js';
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
  readonly #failedByCode = new Map<string, number>();

  /** Counts the outcomes of one batch. */
  batch(result: KinesisBatchResult<unknown>): void {
    this.delivered += result.successfulRecordCount;
    this.failed += result.failedRecordCount;
    if (result.failedRecordCount > 0) countFailures(result.records, this.#failedByCode);
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
