/**
 * Ordered merging: run every batch's delivery at once, and still emit the results in batch order.
 * The shard scheduler bounds the requests in flight, so deliveries need no bound of their own;
 * with `concurrency: 1` the results keep the order of the batches.
 *
 * @module
 */
import { defer, map, mergeMap, toArray } from 'rxjs';
import type { Observable, OperatorFunction } from 'rxjs';

/**
 * Like `mergeMap` with no bound (every inner Observable runs at once), but what the inner
 * Observables emit comes out in the order of the values they were made from, as with `concatMap`:
 * an inner's values are held until every earlier inner has completed.
 *
 * @example
 * ```ts
 * batches$.pipe(mergeInOrder((batch) => deliver(batch))); // delivered at once, results in batch order
 * ```
 * @param project - Makes the inner Observable of a value.
 * @returns The operator.
 */
export function mergeInOrder<A, R>(project: (value: A) => Observable<R>): OperatorFunction<A, R> {
  return (source) =>
    defer(() => {
      const finished = new Map<number, R[]>();
      let next = 0;
      return source.pipe(
        mergeMap((value, index) => project(value).pipe(toArray(), map((values) => ({ index, values })))),
        mergeMap(({ index, values }) => {
          finished.set(index, values);
          const ready: R[] = [];
          for (let done = finished.get(next); done !== undefined; done = finished.get(next)) {
            finished.delete(next++);
            ready.push(...done);
          }
          return ready;
        }),
      );
    });
}
