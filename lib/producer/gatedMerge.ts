/**
 * The gated merge: how batches enter delivery when the shard scheduler sends. A batch's delivery
 * starts while the scheduler is ready for more (few records wait for shards that may send now),
 * however many batches are already in delivery: a batch whose records wait for a throttled
 * shard's budget holds nothing back. Results come in batch order when asked (`concurrency: 1`).
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { OperatorFunction, Subscription } from 'rxjs';

/** When more may start. */
export interface Gate {
  /** Whether another inner may start now (one always may when none runs). */
  ready(): boolean;
  /**
   * Calls `listener` each time the gate may have become ready.
   *
   * @returns Stops the calls.
   */
  onReady(listener: () => void): () => void;
}

/**
 * Like `mergeMap`, but the next value's inner Observable starts only while `gate` is ready (or
 * when no inner runs); values wait meanwhile, in order. With `ordered`, what the inners emit
 * comes out in the order of the values they were made from (an inner's values are held until
 * every earlier inner has completed), as with `concatMap`.
 *
 * @example
 * ```ts
 * batches$.pipe(gatedMerge((batch) => deliver(batch), scheduler, true)); // results in batch order
 * ```
 * @param project - Makes the inner Observable of a value.
 * @param gate - Says when another inner may start.
 * @param ordered - Emit in the order of the values, not the order the inners emit.
 * @returns The operator.
 */
export function gatedMerge<A, R>(project: (value: A) => Observable<R>, gate: Gate, ordered: boolean): OperatorFunction<A, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const queued: A[] = [];
      const inners = new Map<number, Subscription>();
      /** With `ordered`: values of inners that completed before an earlier one, by index. */
      const held = new Map<number, R[]>();
      const done = new Set<number>();
      let nextIndex = 0;
      let nextToEmit = 0;
      let sourceDone = false;

      const flush = (): void => {
        while (done.has(nextToEmit)) {
          done.delete(nextToEmit);
          for (const value of held.get(nextToEmit) ?? []) subscriber.next(value);
          held.delete(nextToEmit++);
        }
      };
      const start = (value: A): void => {
        const index = nextIndex++;
        let finished = false;
        const inner = project(value).subscribe({
          next: (result) => {
            if (!ordered) return subscriber.next(result);
            const list = held.get(index) ?? [];
            held.set(index, list);
            list.push(result);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            finished = true;
            inners.delete(index);
            if (ordered) {
              done.add(index);
              flush();
            }
            drain();
          },
        });
        if (!finished) inners.set(index, inner);
      };
      const drain = (): void => {
        while (queued.length > 0 && (inners.size === 0 || gate.ready())) start(queued.shift()!);
        if (sourceDone && queued.length === 0 && inners.size === 0) subscriber.complete();
      };
      const stopListening = gate.onReady(drain);
      const outer = source.subscribe({
        next: (value) => {
          queued.push(value);
          drain();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          drain();
        },
      });
      return () => {
        stopListening();
        outer.unsubscribe();
        for (const inner of inners.values()) inner.unsubscribe();
      };
    });
}
