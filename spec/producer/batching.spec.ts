import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { batchBy } from '../../lib/producer/batching.js';
import type { BatchLimits } from '../../lib/producer/batching.js';

describe('batchBy', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).to.deep.equal(expected);
    });
  });

  const limits = (overrides: Partial<BatchLimits<string>> = {}): BatchLimits<string> => ({
    maxCount: 3,
    maxWeight: Infinity,
    weight: () => 1,
    durationMs: 10,
    scheduler,
    ...overrides,
  });

  it('closes a batch when it reaches maxCount', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-d-e-f-g-|');
      const sub = '         ^--------------!';
      const expected = '    -----x-----y---(z|)';
      expectObservable(source.pipe(batchBy(limits({ durationMs: 100 })))).toBe(expected, { x: ['a', 'b', 'c'], y: ['d', 'e', 'f'], z: ['g'] });
      expectSubscriptions(source.subscriptions).toBe(sub);
    });
  });

  it('closes a batch before an item that would take it over maxWeight, and after one that fills it', () => {
    const weights: Record<string, number> = { a: 4, b: 4, c: 3, d: 12, e: 1 };
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -a-b-c---d---e|');
      const expected = '    -----x---(yz)-(w|)';
      expectObservable(source.pipe(batchBy(limits({ maxCount: 100, maxWeight: 10, weight: (item) => weights[item]!, durationMs: 100 })))).toBe(expected, {
        x: ['a', 'b'],
        y: ['c'],
        z: ['d'],
        w: ['e'],
      });
    });
  });

  it('closes a partial batch durationMs after its first item, and starts no timer while empty', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -a-b---------------c--|');
      const expected = '    -----------x----------(y|)';
      expectObservable(source.pipe(batchBy(limits()))).toBe(expected, { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('restarts the timer with the first item after a count flush', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -abcd-------------');
      const expected = '    ---x----------y---';
      expectObservable(source.pipe(batchBy(limits()))).toBe(expected, { x: ['a', 'b', 'c'], y: ['d'] });
    });
  });

  it('completes at once on an empty source', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(batchBy(limits()))).toBe('|');
    });
  });

  it('emits nothing for a source that never emits', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-').pipe(batchBy(limits()))).toBe('-');
    });
  });

  it('emits what is buffered, then the error', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('  -a-b-#');
      const expected = '    -----(x#)';
      expectObservable(source.pipe(batchBy(limits()))).toBe(expected, { x: ['a', 'b'] });
    });
  });

  it('passes an error on when nothing is buffered', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('--#').pipe(batchBy(limits()))).toBe('--#');
    });
  });

  it('stops its timer and unsubscribes from the source when unsubscribed early', () => {
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-------c-|');
      const sub = '         ^----!';
      const unsub = '       -----!';
      expectObservable(source.pipe(batchBy(limits())), unsub).toBe('------');
      expectSubscriptions(source.subscriptions).toBe(sub);
    });
  });
});
