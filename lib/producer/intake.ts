/**
 * The intake: when each item taken from the source is prepared. Items are prepared as they come,
 * except those that could not be sent yet anyway, which wait unprepared, in order, counted in the
 * backlog, and are prepared in slices on later turns of the event loop as records settle:
 * - the tail of a synchronous burst (a source that emits many items without returning to the
 *   event loop, such as `from(array)`): the first requests then go out while the rest are
 *   prepared, and answers are read between slices;
 * - with `holdBack`, any item that comes while enough prepared records wait: a waiting item then
 *   holds itself, not its serialized copy too.
 *
 * @module
 */

/** Items prepared per turn of the event loop while a burst is worked off: about one request's worth of small records. */
export const INTAKE_SLICE = 500;

/** What the intake drives: the per-item path, in two forms, when more prepared records are wanted, and what a burst may hold. */
export interface IntakeOptions<T> {
  /** Checks, prepares and admits one item (or refuses it); may stop the input. */
  readonly admit: (item: T) => void;
  /**
   * Checks an item that is to wait against the backlog's count bound, before it is prepared: it
   * is refused at once (or stops the input), or it is counted in and the result is `true`.
   */
  readonly reserve: (item: T) => boolean;
  /** Prepares and admits an item counted in by `reserve` (or refuses it); may stop the input. */
  readonly admitReserved: (item: T) => void;
  /** Whether the input has stopped (no item is admitted after that). */
  readonly stopped: () => boolean;
  /**
   * Whether waiting items are wanted now: when enough prepared records wait to be sent, the rest
   * stay unprepared until {@link Intake.resume} (called as records settle), so that preparing
   * them overlaps the requests that are on their way, all through a long burst. (The caller
   * wants every item while prepared records may wait for anything but a request slot.)
   */
  readonly wanted: () => boolean;
  /** Items admitted in one synchronous run before the rest wait for later turns. */
  readonly burst: number;
  /**
   * Hold items back whenever more prepared records are not {@link IntakeOptions.wanted}, not only
   * in a burst (when nothing needs their size before they can be sent: no bound on the backlog's
   * bytes). Waiting items then hold only themselves, not their serialized copy too.
   */
  readonly holdBack: boolean;
  /** Runs `work` on a later turn of the event loop; returns a function that cancels it. */
  readonly later: (work: () => void) => () => void;
}

/**
 * Takes items from the source and hands them to the per-item path, holding back those that could
 * not be sent yet (counted in the backlog while they wait, so that the count bound and
 * `backlog.onChange` see them). One per subscription.
 *
 * @example
 * ```ts
 * const intake = new Intake({ admit, reserve, admitReserved, stopped: () => stopped, wanted: () => ready < 1_000, burst: 500, holdBack: true, later: (work) => { const id = setImmediate(work); return () => clearImmediate(id); } });
 * source.subscribe({ next: (item) => intake.take(item), complete: () => intake.end(() => downstream.complete()) });
 * ```
 */
export class Intake<T> {
  /** Items taken and counted in, not yet admitted, from `#head` on. */
  #waiting: T[] = [];
  #head = 0;
  /** Items taken in the current synchronous run (zeroed by a microtask once the run ends). */
  #inRun = 0;
  #cancel: (() => void) | undefined;
  /** What to do once every waiting item is admitted: the source's completion or error. */
  #atEnd: (() => void) | undefined;

  /** @param options - The per-item path, the burst size and the scheduling of later slices. */
  constructor(private readonly options: IntakeOptions<T>) {}

  /** Items taken from the source that wait to be prepared. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Takes one item: admits it now, or (counted in) queues it behind the items already waiting.
   *
   * @param item - The item from the source.
   */
  take(item: T): void {
    if (this.waiting === 0) {
      if (this.#inRun === 0) queueMicrotask(() => (this.#inRun = 0));
      if (++this.#inRun <= this.options.burst && (!this.options.holdBack || this.options.wanted())) return this.options.admit(item);
    }
    if (!this.options.reserve(item)) return;
    this.#waiting.push(item);
    this.resume();
  }

  /** Schedules the next slice if items wait and are wanted (after records have settled). */
  resume(): void {
    if (this.waiting > 0 && this.#cancel === undefined && this.options.wanted()) this.#cancel = this.options.later(() => this.#slice());
  }

  /**
   * Runs `finish` (the source's completion or error) once every item taken is admitted.
   *
   * @param finish - What ends the input.
   */
  end(finish: () => void): void {
    if (this.waiting === 0) finish();
    else this.#atEnd = finish;
  }

  /**
   * Removes the items still waiting (the input stopped before them), for the caller to report
   * (they are still counted in the backlog).
   *
   * @returns The items that were taken and never admitted, in order.
   */
  drain(): T[] {
    const left = this.#waiting.slice(this.#head);
    this.drop();
    return left;
  }

  /** Forgets every waiting item and the scheduled slice (on unsubscribe). */
  drop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#waiting = [];
    this.#head = 0;
    this.#atEnd = undefined;
  }

  /** Admits the next slice of waiting items; then schedules the next slice, or ends the input. */
  #slice(): void {
    this.#cancel = undefined;
    const { admitReserved, stopped, wanted } = this.options;
    const end = Math.min(this.#waiting.length, this.#head + INTAKE_SLICE);
    while (this.#head < end && !stopped() && wanted()) admitReserved(this.#waiting[this.#head++]!);
    if (stopped()) return;
    if (this.waiting > 0) {
      // The admitted part is dropped now and then, so that a source that never lets the queue empty does not grow it forever.
      if (this.#head >= 4 * INTAKE_SLICE && 2 * this.#head >= this.#waiting.length) {
        this.#waiting = this.#waiting.slice(this.#head);
        this.#head = 0;
      }
      // Not wanted now: resume() schedules the next slice.
      if (wanted()) this.#cancel ??= this.options.later(() => this.#slice());
      return;
    }
    this.#waiting = [];
    this.#head = 0;
    const atEnd = this.#atEnd;
    this.#atEnd = undefined;
    atEnd?.();
  }
}
