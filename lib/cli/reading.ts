/**
 * Reading the input as lines, and stopping: at the end of the input, or when asked (the lines
 * already split are still handed on, so that every line counted as read goes on), or at once.
 *
 * @module
 */
import { tap } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Input } from './input.js';
import { LineSplitter } from './lines.js';
import type { Line } from './lines.js';
import { fromReadable } from '../index.js';
import type { Pausable } from '../index.js';

/**
 * The input's lines as an Observable, and what was read: the lines handed on (a line counts as
 * read when it is handed on, not when it is split: lines split ahead, in a buffer, are not read
 * until they come out).
 */
export class Reading {
  /** The lines: each non-empty line, in order, then completion at the end of the input (or of what {@link Reading.stop} left). Subscribe once. */
  readonly lines$: Observable<Line>;
  readonly #lines: LineSplitter;
  #last = 0;
  #records = 0;
  #ended = false;

  /**
   * @param input - The input.
   * @param maxLineBytes - The longest line kept whole (the largest record).
   */
  constructor(
    private readonly input: Input,
    maxLineBytes: number,
  ) {
    this.#lines = new LineSplitter(maxLineBytes);
    this.lines$ = fromReadable<Line>(this.#lines).pipe(
      tap({
        next: (line) => {
          this.#last = line.number;
          this.#records += 1;
        },
        complete: () => (this.#ended = true),
      }),
    );
  }

  /** What pauses reading (the backlog's water marks, the failures file). */
  get pausable(): Pausable {
    return this.#lines;
  }

  /** Lines read: every line once the lines ended (empty ones at the end included), else up to the last one handed on. */
  get lines(): number {
    return this.#ended ? this.#lines.lines : this.#last;
  }

  /** Records read: non-empty lines handed on. */
  get records(): number {
    return this.#records;
  }

  /** Whether the lines have all been handed on (the input ended, or {@link Reading.stop}'s lines have come out). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether the whole input was read: the lines ended, and not because reading was stopped. */
  get complete(): boolean {
    return this.#ended && !this.#lines.stopped;
  }

  /** Starts reading: the bytes flow into the splitter, which holds its lines until they are read from {@link Reading.lines$}. */
  start(): void {
    // An input error reaches the lines, whose error ends the Observable.
    this.input.stream.on('error', (error) => this.#lines.destroy(error)).pipe(this.#lines);
  }

  /** Stops reading the input; the lines already split still come out, then the lines end. */
  stop(): void {
    this.input.stream.unpipe(this.#lines);
    this.#lines.stop();
    this.input.stream.destroy();
  }

  /** Closes the input (at the end of a run, whichever way it ended: a stdin left open would keep the process alive). */
  close(): void {
    this.input.stream.destroy();
  }
}
