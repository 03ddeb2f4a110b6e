/**
 * One source paused by several parties (the backlog's water marks, the failures file): it flows
 * only while none of them holds it paused.
 *
 * @module
 */
import type { Pausable } from '../index.js';

/**
 * A {@link Pausable} shared by several parties: each gets its own view ({@link SharedPause.party}),
 * and the source is paused while any view is, so that one party's resume never undoes another's
 * pause.
 *
 * @example
 * ```ts
 * const reading = new SharedPause(lines);
 * const onChange = pauseWhenBusy(reading.party(), { high: 10_000, low: 2_000 });
 * const failures = await FailureReport.open('failed.ndjson', console.error, reading.party());
 * ```
 */
export class SharedPause {
  #holding = 0;

  /** @param source - What is paused and resumed (the input). */
  constructor(private readonly source: Pausable) {}

  /**
   * A view for one party.
   *
   * @returns A {@link Pausable} whose pause holds the source until the same view resumes.
   */
  party(): Pausable {
    let paused = false;
    return {
      pause: () => {
        if (paused) return;
        paused = true;
        this.#hold(1);
      },
      resume: () => {
        if (!paused) return;
        paused = false;
        this.#hold(-1);
      },
      isPaused: () => paused,
    };
  }

  /** Counts the parties that hold the source, and pauses or resumes it to match. */
  #hold(change: number): void {
    this.#holding += change;
    if (this.#holding > 0) {
      if (!this.source.isPaused()) this.source.pause();
    } else if (this.source.isPaused()) {
      this.source.resume();
    }
  }
}
