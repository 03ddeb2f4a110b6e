/**
 * What the command tells while it runs and when it is done, on stderr: a progress line (redrawn
 * in place on a terminal, a plain line every few seconds otherwise) and a summary.
 *
 * @module
 */
import { countFailures } from '../index.js';
import type { KinesisBatchResult } from '../index.js';
import { formatBytes, formatCounts } from '../shared/format.js';

/** How often the progress line is redrawn on a terminal. */
export const TTY_INTERVAL_MS = 250;

/** How often a progress line is written when stderr is not a terminal (a file, a pipe, CI logs). */
export const PLAIN_INTERVAL_MS = 5_000;

/** The records/s of the progress line are counted over about this long. */
export const RATE_WINDOW_MS = 2_000;

/** Where the command writes (stderr, or a stand-in in tests). */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const count = (value: number): string => value.toLocaleString('en-US');

/** The counts of a run, and the progress line and summary made from them. */
export class Progress {
  /** Records delivered. */
  delivered = 0;
  /** Records that failed. */
  failed = 0;
  /** Records waiting now (read, no outcome yet). */
  waiting = 0;
  /** The most records that waited at once. */
  peakWaiting = 0;
  /** The most bytes (data plus keys) that waited at once. */
  peakWaitingBytes = 0;
  readonly #failedByCode = new Map<string, number>();
  readonly #startedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  /** Outcomes counted at past draws, oldest first, reaching back about {@link RATE_WINDOW_MS}. */
  #samples: { readonly at: number; readonly done: number }[] = [{ at: performance.now(), done: 0 }];
  #drawn = false;

  /**
   * @param output - Where to write (stderr).
   * @param linesRead - Lines read so far.
   * @param maxWaiting - The bound on records waiting, for the summary.
   * @param maxWaitingBytes - The bound on bytes waiting, for the summary.
   */
  constructor(
    private readonly output: Output,
    private readonly linesRead: () => number,
    private readonly maxWaiting: number,
    private readonly maxWaitingBytes: number,
  ) {}

  /** Counts the outcomes of one batch. */
  add(result: KinesisBatchResult<unknown>): void {
    this.delivered += result.successfulRecordCount;
    this.failed += result.failedRecordCount;
    if (result.failedRecordCount > 0) {
      countFailures(result.records, this.#failedByCode);
    }
  }

  /** Counts a record that failed alone, outside any batch (refused before sending). */
  failedAlone(errorCode: string): void {
    this.failed += 1;
    this.#failedByCode.set(errorCode, (this.#failedByCode.get(errorCode) ?? 0) + 1);
  }

  /** Follows the backlog (from `backlog.onChange`). */
  waitingNow(records: number, bytes: number): void {
    this.waiting = records;
    if (records > this.peakWaiting) this.peakWaiting = records;
    if (bytes > this.peakWaitingBytes) this.peakWaitingBytes = bytes;
  }

  /** Starts drawing the progress line. */
  start(): void {
    this.#timer = setInterval(() => this.#draw(), this.output.isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Stops drawing, and clears the line drawn on a terminal. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#drawn && this.output.isTTY) this.output.write('\r\x1b[2K');
  }

  /** Writes a line above the progress line. */
  note(line: string): void {
    this.output.write(this.#drawn && this.output.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  /** The progress line: counts, and the rate over the last {@link RATE_WINDOW_MS} or so. */
  #draw(): void {
    const now = performance.now();
    const done = this.delivered + this.failed;
    this.#samples.push({ at: now, done });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at >= RATE_WINDOW_MS) this.#samples.shift();
    const since = this.#samples[0]!;
    const rate = ((done - since.done) * 1000) / Math.max(1, now - since.at);
    const line =
      `rxjs-kinesis: ${count(this.linesRead())} lines read, ${count(this.delivered)} delivered, ${count(this.failed)} failed, ` +
      `${count(Math.round(rate))} records/s, ${count(this.waiting)} waiting`;
    this.output.write(this.output.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    this.#drawn = true;
  }

  /** The final summary, one line. */
  summary(): string {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const done = this.delivered + this.failed;
    const codes = this.failed > 0 ? ` (${formatCounts(this.#failedByCode)})` : '';
    return (
      `rxjs-kinesis: ${count(this.delivered)} delivered, ${count(this.failed)} failed${codes}, of ${count(done)} records ` +
      `from ${count(this.linesRead())} lines, in ${seconds.toFixed(1)} s (${count(Math.round(done / Math.max(seconds, 0.001)))} records/s); ` +
      `at most ${count(this.peakWaiting)} records (${formatBytes(this.peakWaitingBytes)}) waited, bound ${count(this.maxWaiting)} records and ${formatBytes(this.maxWaitingBytes)}`
    );
  }
}
