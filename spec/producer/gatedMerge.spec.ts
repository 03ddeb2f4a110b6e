import { expect } from 'chai';
import { from, lastValueFrom, map, Observable, timer, toArray } from 'rxjs';
import { gatedMerge } from '../../lib/producer/gatedMerge.js';
import type { Gate } from '../../lib/producer/gatedMerge.js';

/** An inner that counts how many run at once. */
function counting() {
  const state = { running: 0, most: 0 };
  const inner = (delay: number) =>
    new Observable<number>((subscriber) => {
      state.most = Math.max(state.most, ++state.running);
      return timer(delay)
        .pipe(map(() => delay))
        .subscribe({ next: (value) => subscriber.next(value), complete: () => (state.running--, subscriber.complete()) });
    });
  return { state, inner };
}

const open: Gate = { ready: () => true, onReady: () => () => undefined };

describe('gatedMerge', () => {
  it('runs the inners at once while the gate is open, and emits in the order of the values when ordered', async () => {
    const { state, inner } = counting();
    const values = await lastValueFrom(from([60, 10, 40, 20]).pipe(gatedMerge(inner, open, true), toArray()));
    expect(values).to.deep.equal([60, 10, 40, 20]);
    expect(state.most).to.equal(4);
  });

  it('emits in the order the inners finish when not ordered', async () => {
    const { inner } = counting();
    expect(await lastValueFrom(from([60, 10, 40, 20]).pipe(gatedMerge(inner, open, false), toArray()))).to.deep.equal([10, 20, 40, 60]);
  });

  it('starts one inner at a time while the gate is shut, and more once it says it is ready', async () => {
    const { state, inner } = counting();
    let ready = false;
    let wake = (): void => undefined;
    const gate: Gate = { ready: () => ready, onReady: (listener) => ((wake = listener), () => undefined) };
    const values = lastValueFrom(from([30, 30, 30, 30]).pipe(gatedMerge(inner, gate, true), toArray()));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.most).to.equal(1);
    ready = true;
    wake();
    expect(await values).to.deep.equal([30, 30, 30, 30]);
    expect(state.most).to.equal(4);
  });

  it('passes an inner error on', async () => {
    const failing = (value: number) => (value === 2 ? new Observable<number>((subscriber) => subscriber.error(new Error('boom'))) : timer(5).pipe(map(() => value)));
    await lastValueFrom(from([1, 2, 3]).pipe(gatedMerge(failing, open, true))).then(
      () => expect.fail('no error'),
      (error: Error) => expect(error.message).to.equal('boom'),
    );
  });
});
