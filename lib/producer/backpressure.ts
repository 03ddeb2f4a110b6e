/**
 * Backpressure for sources that can pause: a Node `Readable` as an Observable, and the
 * `backlog.onChange` hook that pauses it while too much waits.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import type { Backlog } from './backlog.js';

/**
 * Anything that can be paused and resumed: a Node `Readable`, a queue consumer.
 *
 * @example
 * ```ts
 * // A queue consumer that is not a Node stream:
 * const consumer: Pausable = { pause: () => queue.stop(), resume: () => queue.start(), isPaused: () => !queue.running };
 * messages$.pipe(toKinesis({ streamName: 'jobs', backlog: { maxRecords: 5_000, onChange: pauseWhenBusy(consumer, { high: 5_000, low: 1_000 }) } }));
 * ```
 * @category Backpressure
 */
export interface Pausable {
  /** Stops the flow of items. */
  pause(): unknown;
  /** Starts it again. */
  resume(): unknown;
  /** Whether the flow is stopped. */
  isPaused(): boolean;
}

/**
 * When to pause and when to resume, in records waiting (and optionally in bytes waiting).
 *
 * @example
 * ```ts
 * const marks: WaterMarks = { high: 10_000, low: 2_000, highBytes: 64 * MiB, lowBytes: 16 * MiB };
 * fromReadable<string>(lines).pipe(toKinesis({ streamName: 'events', backlog: { maxRecords: marks.high, onChange: pauseWhenBusy(lines, marks) } }));
 * ```
 * @category Backpressure
 */
export interface WaterMarks {
  /** Pause when this many records (or more) wait. */
  readonly high: number;
  /** Resume when this many records (or fewer) wait. */
  readonly low: number;
  /** Pause also when this many bytes (data plus keys) or more wait. Default: no byte mark. */
  readonly highBytes?: number;
  /** With `highBytes`: resume only when this many bytes (or fewer) wait as well. Default: `highBytes / 4`. */
  readonly lowBytes?: number;
}

/**
 * A `backlog.onChange` hook that pauses `source` when `high` records (or `highBytes` bytes) wait,
 * and resumes it when they are down to `low` (and `lowBytes`). It never keeps the source paused
 * while every waiting record sits in the batch being filled: nothing is being sent then, so
 * pausing would only wait for `batch.duration` (marks below the batch's size would do that). Set `backlog.maxRecords` (and `maxBytes`) at or above the high marks as
 * the hard bound.
 *
 * @example
 * ```ts
 * const lines = Readable.from(createInterface({ input: createReadStream('events.ndjson') })); // one line per chunk
 * fromReadable<string>(lines).pipe(
 *   toKinesis({ streamName: 'events', backlog: { maxRecords: 10_000, onChange: pauseWhenBusy(lines, { high: 10_000, low: 2_000 }) } }),
 * );
 * ```
 * @param source - What to pause and resume.
 * @param marks - The high and low water marks, in records (and optionally in bytes).
 * @returns The hook for `backlog.onChange`.
 * @see {@link fromReadable}
 * @category Backpressure
 */
export function pauseWhenBusy(source: Pausable, marks: WaterMarks): (backlog: Backlog) => void {
  const highBytes = marks.highBytes ?? Infinity;
  const lowBytes = marks.lowBytes ?? highBytes / 4;
  return ({ records, bytes, buffered }) => {
    // When every waiting record is in the open batch, nothing is being sent: pausing (or staying
    // paused) would leave that batch to its timer. Marks below a batch's size would do that.
    const onlyOpenBatch = records === buffered;
    if ((records >= marks.high || bytes >= highBytes) && !onlyOpenBatch) {
      if (!source.isPaused()) source.pause();
    } else if (source.isPaused() && ((records <= marks.low && bytes <= lowBytes) || onlyOpenBatch)) {
      source.resume();
    }
  };
}

/**
 * A Node `Readable` as an Observable of its chunks (objects, in object mode). The stream flows
 * while subscribed, so that {@link pauseWhenBusy} can pause it; unsubscribing destroys it.
 *
 * @example
 * ```ts
 * fromReadable<Order>(orders).pipe(toKinesis({ streamName: 'orders', backlog: { maxRecords: 5_000, onChange: pauseWhenBusy(orders, { high: 5_000, low: 1_000 }) } }));
 * ```
 * @param readable - The stream to read.
 * @returns The chunks, then completion at `end`, or the stream's error.
 * @category Backpressure
 */
export function fromReadable<T>(readable: Readable): Observable<T> {
  return new Observable<T>((subscriber) => {
    const onData = (chunk: T): void => subscriber.next(chunk);
    const onEnd = (): void => subscriber.complete();
    const onError = (error: Error): void => subscriber.error(error);
    readable.on('data', onData).once('end', onEnd).once('error', onError);
    return () => {
      readable.off('data', onData).off('end', onEnd).off('error', onError);
      readable.destroy();
    };
  });
}
