/**
 * Failed lines: every one written to the `--failures` file as one NDJSON object, the first few
 * on stderr too, so that no line is lost without a trace.
 *
 * @module
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { messageOf } from '../errors.js';
import type { KinesisRecordFailure } from '../results.js';
import { UsageError } from './args.js';
import type { Line } from './lines.js';

/** Failed lines shown on stderr; the rest only in the `--failures` file. */
export const FAILURES_SHOWN = 10;

/** One line of the `--failures` file. */
export interface FailedLine {
  /** 1-based line number in the input. */
  readonly line: number;
  /** Why, as a code (`InvalidPartitionKey`, `ProvisionedThroughputExceededException`, ...). */
  readonly errorCode: string;
  /** Why, in words. */
  readonly errorMessage: string;
}

/** Reports failed lines: to the file (all), and through `show` (the first {@link FAILURES_SHOWN}). */
export class FailureReport {
  #count = 0;

  private constructor(
    private readonly file: WriteStream | undefined,
    private readonly path: string | undefined,
    private readonly show: (line: string) => void,
  ) {}

  /**
   * Opens the `--failures` file (emptied) before anything is sent.
   *
   * @param path - The file, or `undefined` for none.
   * @param show - Writes a line on stderr.
   * @returns The report.
   * @throws {@link UsageError} when the file cannot be written.
   */
  static async open(path: string | undefined, show: (line: string) => void): Promise<FailureReport> {
    if (path === undefined) return new FailureReport(undefined, undefined, show);
    const file = createWriteStream(path, { flags: 'w' });
    try {
      await once(file, 'open');
    } catch (error) {
      throw new UsageError(`--failures: cannot write '${path}': ${messageOf(error)}`);
    }
    return new FailureReport(file, path, show);
  }

  /** Reports one failed line. */
  add(failure: KinesisRecordFailure<Line>): void {
    const entry: FailedLine = { line: failure.item.number, errorCode: failure.errorCode, errorMessage: failure.errorMessage };
    this.#count += 1;
    this.file?.write(`${JSON.stringify(entry)}\n`);
    if (this.#count <= FAILURES_SHOWN) this.show(`rxjs-kinesis: line ${entry.line}: ${entry.errorCode}: ${entry.errorMessage}`);
  }

  /** Closes the file, and says where the failures not shown are. */
  async close(): Promise<void> {
    const hidden = this.#count - FAILURES_SHOWN;
    if (this.file !== undefined) {
      this.file.end();
      await once(this.file, 'finish');
      if (this.#count > 0) this.show(`rxjs-kinesis: ${this.#count.toLocaleString('en-US')} failed lines written to ${this.path}`);
    } else if (hidden > 0) {
      this.show(`rxjs-kinesis: ${hidden.toLocaleString('en-US')} more failed lines not shown (--failures FILE writes them all)`);
    }
  }
}
