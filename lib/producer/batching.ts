/**
 * Batching: groups items by count, by weight (bytes) and by time. The one place where a batch is
 * closed.
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { OperatorFunction, SchedulerLike, Subscription } from 'rxjs';

/** When a batch is closed. */
export interface BatchLimits<T> {
  /** Items per batch, at most. */
  readonly maxCount: number;
  /** Total weight per batch, at most; an item heavier than this on its own forms a batch alone. */
  readonly maxWeight: number;
  /** The weight of one item (bytes, for records). */
  readonly weight: (item: T) => number;
  /** How long the first item of a batch waits, at most, before the batch is closed anyway. */
  readonly durationMs: number;
  /** Where the time-based flush is scheduled. */
  readonly scheduler: SchedulerLike;
}

/**
 * Collects items into arrays closed by count, by weight, or by time.
 *
 * Unlike `bufferTime`, the timer does not tick while nothing is buffered: it starts when the first
 * item enters an empty batch, so an item waits at most `durationMs`, and an idle source costs
 * nothing. A batch is closed before an item that would take it over `maxWeight` is added, and as
 * soon as it reaches `maxCount` items or `maxWeight`. On completion the partial batch is emitted
 * at once; on error it is emitted, then the error is passed on (nothing buffered is dropped).
 *
 * @example
 * ```ts
 * source$.pipe(batchBy({ maxCount: 500, maxWeight: 5 * MiB, weight: (r) => r.bytes, durationMs: 5000, scheduler: asyncScheduler }));
 * ```
 * @param limits - Count, weight and time limits of a batch.
 * @returns An operator emitting non-empty arrays of items, in arrival order.
 * @see {@link toKinesis}, which batches prepared records with it.
 */
export function batchBy<T>(limits: BatchLimits<T>): OperatorFunction<T, T[]> {
  const { maxCount, maxWeight, weight, durationMs, scheduler } = limits;
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let buffer: T[] = [];
      let bufferWeight = 0;
      let timer: Subscription | undefined;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (buffer.length === 0) return;
        const batch = buffer;
        buffer = [];
        bufferWeight = 0;
        subscriber.next(batch);
      };

      const subscription = source.subscribe({
        next: (item) => {
          const itemWeight = weight(item);
          if (buffer.length > 0 && bufferWeight + itemWeight > maxWeight) flush();
          buffer.push(item);
          bufferWeight += itemWeight;
          if (buffer.length >= maxCount || bufferWeight >= maxWeight) flush();
          else if (timer === undefined) timer = scheduler.schedule(flush, durationMs);
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
        buffer = [];
      };
    });
}
