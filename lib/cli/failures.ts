/**
 * Failed lines: every one written to the `--failures` file as one NDJSON object, the first few
 * on stderr too, so that no line is lost without a trace. While the file is behind, reading is
 * paused; if it cannot be written, that is said once and the run goes on.
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { UsageError } from './args.js';
import { isInput, statIfAny } from './input.js';
import type { Input } from './input.js';
import type { Line } from './lines.js';
import { formatCount } from './progress.js';
import type { Pausable } from '../index.js';
import { messageOf } from '../shared/errors.js';

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
  /** Present (`true`) when the line may have been written all the same: resending it can write it twice. */
  readonly possiblyWritten?: true;
  /** The line's text, when its bytes are valid UTF-8 (what `jq -r .data` prints is the line). */
  readonly data?: string;
  /** The line's bytes in base64, when they are not valid UTF-8. */
  readonly dataBase64?: string;
}

/**
 * A line's bytes as a failures file entry holds them: `data` (text) when they are valid UTF-8,
 * else `dataBase64`; nothing for a line over the record limit, of which only the first bytes were
 * kept (it could not be sent anyway).
 *
 * @param line - The line.
 * @returns `{ data }`, `{ dataBase64 }` or `{}`.
 */
export function lineData(line: Line): Pick<FailedLine, 'data' | 'dataBase64'> {
  if (line.size > line.data.length) return {};
  return isUtf8(line.data) ? { data: line.data.toString('utf8') } : { dataBase64: line.data.toString('base64') };
}

/** A line that was not delivered, and why. */
export interface LineFailure {
  /** The line. */
  readonly line: Line;
  /** Why, as a code. */
  readonly errorCode: string;
  /** Why, in words. */
  readonly errorMessage: string;
  /** Whether it may have been written all the same. */
  readonly possiblyWritten: boolean;
}

/**
 * Reports failed lines: to the file (all), and through `show` (the first {@link FAILURES_SHOWN}).
 * While the file is behind (its buffer full), `hold` is paused (the input: no more records, so no
 * more failures, until the file drains). If the file cannot be written (a full disk), that is
 * shown once, nothing more is written to it, and {@link FailureReport.broken} is set.
 */
export class FailureReport {
  #count = 0;
  /** Lines that could be shown: those beyond {@link FAILURES_SHOWN} were not. */
  #shown = 0;
  #broken = false;

  private constructor(
    private readonly file: WriteStream | undefined,
    private readonly path: string | undefined,
    private readonly show: (line: string) => void,
    private readonly hold: Pausable | undefined,
  ) {
    file?.on('error', (error) => this.#fail(error)).on('drain', () => this.#release());
  }

  /**
   * Opens the `--failures` file before anything is sent, and empties it, once it is known not to
   * be the input: a path that names the input (by any spelling, link or hard link: the same
   * device and inode) is refused before anything is opened for writing, and the file is emptied
   * only after the opened file itself was checked (so that a name swapped in between changes
   * nothing).
   *
   * @param path - The file, or `undefined` for none.
   * @param input - The input, never to be written.
   * @param show - Writes a line on stderr.
   * @param hold - Paused while the file is behind, resumed when it has drained (the input).
   * @returns The report.
   * @throws {@link UsageError} when the file is the input or cannot be opened.
   */
  static async open(path: string | undefined, input: Input, show: (line: string) => void, hold?: Pausable): Promise<FailureReport> {
    if (path === undefined) return new FailureReport(undefined, undefined, show, hold);
    const refuse = (): never => {
      throw new UsageError(`--failures: '${path}' is the input (${input.name}): writing failed lines there would overwrite it; name another file`);
    };
    let handle: FileHandle;
    try {
      const before = await statIfAny(path);
      if (before !== undefined && isInput(before, input)) refuse();
      // Appending does not empty the file: that waits for the check of the file opened.
      handle = await open(path, 'a');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--failures: cannot write '${path}': ${messageOf(error)}`);
    }
    const opened = await handle.stat();
    if (isInput(opened, input)) {
      await handle.close();
      refuse();
    }
    if (opened.isFile()) await handle.truncate(0);
    return new FailureReport(handle.createWriteStream(), path, show, hold);
  }

  /** Whether the file could not be written (the run then exits 1). */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Reports one line that was not delivered.
   *
   * @param failure - The line, and why.
   * @param show - Whether it may be shown on stderr (one of the first {@link FAILURES_SHOWN}); `false` when a message of its own says why.
   */
  add(failure: LineFailure, show = true): void {
    const entry: FailedLine = {
      line: failure.line.number,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      ...(failure.possiblyWritten ? { possiblyWritten: true as const } : {}),
      ...lineData(failure.line),
    };
    this.#count += 1;
    if (this.file !== undefined && !this.#broken && !this.file.write(`${JSON.stringify(entry)}\n`) && this.hold?.isPaused() === false) this.hold.pause();
    if (show && ++this.#shown <= FAILURES_SHOWN) this.show(`rxjs-kinesis: line ${entry.line}: ${entry.errorCode}: ${entry.errorMessage}${failure.possiblyWritten ? ' (may have been written)' : ''}`);
  }

  /** Closes the file, and says where the failures not shown are. */
  async close(): Promise<void> {
    const hidden = this.#shown - FAILURES_SHOWN;
    if (this.file !== undefined) {
      if (!this.#broken) {
        this.file.end();
        await finished(this.file).catch((error: unknown) => this.#fail(error));
      }
      if (!this.#broken && this.#count > 0) this.show(`rxjs-kinesis: ${formatCount(this.#count)} lines not delivered written to ${this.path}`);
    } else if (hidden > 0) {
      this.show(`rxjs-kinesis: ${formatCount(hidden)} more lines not delivered not shown (--failures FILE writes them all)`);
    }
  }

  /** The file cannot be written: says so once, writes no more, lets the input go on. */
  #fail(error: unknown): void {
    if (this.#broken) return;
    this.#broken = true;
    this.show(`rxjs-kinesis: --failures: cannot write '${this.path}': ${messageOf(error)}; failed lines are no longer written there (the summary counts them)`);
    this.#release();
  }

  /** The file has drained (or failed): the input may go on. */
  #release(): void {
    if (this.hold?.isPaused() === true) this.hold.resume();
  }
}
