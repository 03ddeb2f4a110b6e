/**
 * Every line's outcome, in one place: counted in the tally, reported (the failures file, stderr),
 * and the lines handed to the operator that have none yet, for a run that stops at once.
 *
 * @module
 */
import type { FailureReport, LineFailure } from './failures.js';
import { fatalError } from './fatal.js';
import type { FatalError } from './fatal.js';
import { LINE } from './lineItems.js';
import type { LineItem, LineRefusal } from './lineItems.js';
import type { Line } from './lines.js';
import type { Tally, Unresolved } from './tally.js';
import type { KinesisBatchResult } from '../index.js';

/** The code, in the failures file, of a line whose outcome is unknown because the run was stopped at once. */
export const NO_OUTCOME = 'NoOutcome';

/** The code, in the failures file, of a line not sent because the run stopped at an error that no retry can fix. */
export const NOT_SENT = 'NotSent';

/** The outcomes of a run's lines. */
export class Outcomes {
  /** Lines handed to the operator that have no outcome yet. */
  readonly #waiting = new Set<Line>();

  /**
   * @param tally - Where outcomes are counted.
   * @param failures - Where lines not delivered are reported.
   */
  constructor(
    private readonly tally: Tally,
    private readonly failures: FailureReport,
  ) {}

  /** Notes an item handed to the operator: it waits for its outcome. */
  handOn(item: LineItem): void {
    this.#waiting.add(item[LINE]);
  }

  /**
   * Counts and reports a line refused before the operator.
   *
   * @returns `false`, so that the line goes no further (a filter's answer).
   */
  refuse(refusal: LineRefusal): false {
    this.tally.failedAlone(refusal.errorCode);
    this.failures.add({ ...refusal, possiblyWritten: false });
    return false;
  }

  /**
   * Counts and reports the outcomes of a batch. A line failed by an error that ends the run is
   * reported but not shown: one line will say why.
   *
   * @returns The first error of the batch that ends the run, if any.
   */
  settle(result: KinesisBatchResult<LineItem>): FatalError | undefined {
    this.tally.batch(result);
    let fatal: FatalError | undefined;
    for (const record of result.records) {
      this.#waiting.delete(record.item[LINE]);
      if (record.status === 'ok') continue;
      const error = fatalError(record);
      fatal ??= error;
      this.failures.add({ ...record, line: record.item[LINE] }, error === undefined);
    }
    return fatal;
  }

  /**
   * Counts the lines still waiting (the run stopped at once), and lists them in the failures file, in input order.
   *
   * @param why - Why they have no outcome.
   * @param failure - The code and message they are listed with.
   * @returns How many.
   */
  leaveUnresolved(why: Unresolved, failure: Omit<LineFailure, 'line'>): number {
    const lines = [...this.#waiting].sort((a, b) => a.number - b.number);
    this.tally.unresolved(why, lines.length);
    for (const line of lines) this.failures.add({ ...failure, line }, false);
    this.#waiting.clear();
    return lines.length;
  }
}
