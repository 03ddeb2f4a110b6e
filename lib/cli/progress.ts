/**
 * What the command tells while it runs and when it is done, on stderr: a progress line (redrawn
 * in place on a terminal, a plain line every few seconds otherwise) and a summary.
 *
 * @module
 */
import type { Tally } from './tally.js';
import { formatBytes } from '../shared/format.js';

/** How often the progress line is redrawn on a terminal. */
export const TTY_INTERVAL_MS = 250;

/** How often a progress line is written when stderr is not a terminal (a file, a pipe, CI logs). */
export const PLAIN_INTERVAL_MS = 5_000;

/** The delivered records/s of the progress line are counted over about this long. */
export const RATE_WINDOW_MS = 2_000;

/** Where the command writes (stderr, or a stand-in in tests). */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * A count as messages show it: `'35,663'`.
 *
 * @param value - The count.
 * @returns It, with thousands separators.
 */
export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** A count and its noun: `'1 request'`, `'3 requests'`. */
const counted = (value: number, one: string, many = `${one}s`): string => `${formatCount(value)} ${value === 1 ? one : many}`;

/** What was read so far (see `Reading`). */
export interface ReadSoFar {
  /** Lines read (empty ones included). */
  readonly lines: number;
  /** Records read (lines with bytes). */
  readonly records: number;
}

/** The progress line and the summary, made from the counts of a run. */
export class Progress {
  /** Records waiting now (read, no outcome yet). */
  waiting = 0;
  /** The most records that waited at once. */
  peakWaiting = 0;
  /** The most bytes (data plus keys) that waited at once. */
  peakWaitingBytes = 0;
  readonly #startedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  /** Records delivered at past draws, oldest first, reaching back about {@link RATE_WINDOW_MS}. */
  #samples: { readonly at: number; readonly delivered: number }[] = [{ at: performance.now(), delivered: 0 }];
  #drawn = false;

  /**
   * @param output - Where to write (stderr).
   * @param tally - The counts of the run.
   * @param read - What was read so far.
   * @param maxWaiting - The bound on records waiting, for the summary.
   * @param maxWaitingBytes - The bound on bytes waiting, for the summary.
   */
  constructor(
    private readonly output: Output,
    private readonly tally: Tally,
    private readonly read: ReadSoFar,
    private readonly maxWaiting: number,
    private readonly maxWaitingBytes: number,
  ) {}

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
    const { delivered } = this.tally;
    this.#samples.push({ at: now, delivered });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at >= RATE_WINDOW_MS) this.#samples.shift();
    const since = this.#samples[0]!;
    const rate = ((delivered - since.delivered) * 1000) / Math.max(1, now - since.at);
    const line =
      `rxjs-kinesis: ${formatCount(this.read.lines)} lines read, ${formatCount(this.tally.delivered)} delivered, ${formatCount(this.tally.failed)} failed, ` +
      `${formatCount(Math.round(rate))} delivered/s, ${formatCount(this.waiting)} waiting` +
      (this.tally.retriedRequests > 0 ? `, ${formatCount(this.tally.retriedRequests)} requests retried` : '') +
      (this.tally.timedOut > 0 ? `, ${formatCount(this.tally.timedOut)} timed out` : '');
    this.output.write(this.output.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    this.#drawn = true;
  }

  /** The summary's part on retries, each piece when it applies: `'retried: 1 request, 3 records sent again; '`. */
  #retries(): string {
    const { retriedRequests, resentRecords, possiblyDuplicated, failedPossiblyWritten } = this.tally;
    const parts: string[] = [];
    if (retriedRequests > 0) parts.push(`retried: ${counted(retriedRequests, 'request')}, ${counted(resentRecords, 'record')} sent again`);
    if (possiblyDuplicated > 0) parts.push(`${counted(possiblyDuplicated, 'delivered record')} may be in the stream twice (possiblyDuplicated)`);
    if (failedPossiblyWritten > 0) parts.push(`${counted(failedPossiblyWritten, 'failed record')} may have been written (possiblyWritten)`);
    return parts.map((part) => `${part}; `).join('');
  }

  /** The final summary, one line: every record read is counted once, as delivered, failed, not sent or with no outcome. */
  summary(): string {
    const { delivered, failed, notSent, noOutcome } = this.tally;
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const codes = failed > 0 ? ` (${this.tally.failureCodes()})` : '';
    const unsent = notSent > 0 ? `, ${formatCount(notSent)} not sent` : '';
    const unknown = noOutcome > 0 ? `, ${formatCount(noOutcome)} with no outcome` : '';
    return (
      `rxjs-kinesis: ${formatCount(delivered)} delivered, ${formatCount(failed)} failed${codes}${unsent}${unknown}, of ${formatCount(this.read.records)} records ` +
      `from ${formatCount(this.read.lines)} lines, in ${seconds.toFixed(1)} s (${formatCount(Math.round(delivered / Math.max(seconds, 0.001)))} delivered/s); ` +
      this.#retries() +
      `at most ${formatCount(this.peakWaiting)} records (${formatBytes(this.peakWaitingBytes)}) waited, bound ${formatCount(this.maxWaiting)} records and ${formatBytes(this.maxWaitingBytes)}`
    );
  }
}
