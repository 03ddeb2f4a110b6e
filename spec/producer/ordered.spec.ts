import { expect } from 'chai';
import { from, lastValueFrom, Observable, timer, map, toArray } from 'rxjs';
import { mergeInOrder } from '../../lib/producer/ordered.js';

describe('mergeInOrder', () => {
  it('runs every inner at once, and emits in the order of the outer values', async () => {
    let running = 0;
    let most = 0;
    const slow = (delay: number) =>
      new Observable<number>((subscriber) => {
        most = Math.max(most, ++running);
        return timer(delay)
          .pipe(map(() => delay))
          .subscribe({ next: (value) => subscriber.next(value), complete: () => (running--, subscriber.complete()) });
      });
    const started = performance.now();
    const values = await lastValueFrom(from([60, 10, 40, 20]).pipe(mergeInOrder(slow), toArray()));
    expect(values).to.deep.equal([60, 10, 40, 20]);
    expect(most).to.equal(4);
    expect(performance.now() - started).to.be.below(150);
  });

  it('passes an inner error on', async () => {
    const failing = (value: number) => (value === 2 ? new Observable<number>((subscriber) => subscriber.error(new Error('boom'))) : timer(5).pipe(map(() => value)));
    await lastValueFrom(from([1, 2, 3]).pipe(mergeInOrder(failing))).then(
      () => expect.fail('no error'),
      (error: Error) => expect(error.message).to.equal('boom'),
    );
  });
});
