/**
 * The key queues of per-key ordering: whose turn it is, settling, and what a failure for good
 * does to a key's waiting records under each `afterFailure`.
 */
import { expect } from 'chai';
import { KeyOrder } from '../../lib/producer/keyOrder.js';

describe('KeyOrder', () => {
  const records = (count: number): object[] => Array.from({ length: count }, (_, index) => ({ index }));

  it("lets only the oldest unsettled record of a key go; other keys are not held back", () => {
    const order = new KeyOrder('send');
    const [a1, a2, b1] = records(3);
    order.enter(a1!, 'a');
    order.enter(a2!, 'a');
    order.enter(b1!, 'b');
    expect([order.turn(a1!, 'a'), order.turn(a2!, 'a'), order.turn(b1!, 'b')]).to.deep.equal(['go', 'wait', 'go']);
    order.settle(a1!, 'a', true);
    expect(order.turn(a2!, 'a')).to.equal('go');
    expect(order.size).to.equal(2);
    order.settle(a2!, 'a', true);
    order.settle(b1!, 'b', true);
    expect(order.size).to.equal(0);
  });

  it("afterFailure 'send': a key's next record goes after one fails for good", () => {
    const order = new KeyOrder('send');
    const [a1, a2] = records(2);
    order.enter(a1!, 'a');
    order.enter(a2!, 'a');
    order.settle(a1!, 'a', false);
    expect(order.turn(a2!, 'a')).to.equal('go');
  });

  it("afterFailure 'fail': the records waiting when one fails for good are to fail, in order; later ones go", () => {
    const order = new KeyOrder('fail');
    const [a1, a2, a3, a4, b1] = records(5);
    order.enter(a1!, 'a');
    order.enter(a2!, 'a');
    order.enter(a3!, 'a');
    order.enter(b1!, 'b');
    order.settle(a1!, 'a', false);
    order.enter(a4!, 'a'); // entered after the failure
    expect([order.turn(a2!, 'a'), order.turn(a3!, 'a'), order.turn(b1!, 'b')]).to.deep.equal(['fail', 'wait', 'go']);
    order.settle(a2!, 'a', false);
    expect(order.turn(a3!, 'a')).to.equal('fail');
    order.settle(a3!, 'a', false);
    expect(order.turn(a4!, 'a')).to.equal('go');
  });

  it('drops a record settled out of turn where it is, keeping the others in order', () => {
    const order = new KeyOrder('send');
    const [a1, a2, a3] = records(3);
    for (const record of [a1!, a2!, a3!]) order.enter(record, 'a');
    order.settle(a2!, 'a', true);
    expect([order.turn(a1!, 'a'), order.turn(a3!, 'a')]).to.deep.equal(['go', 'wait']);
    order.settle(a1!, 'a', true);
    expect(order.turn(a3!, 'a')).to.equal('go');
  });

  it('wakes waiters once per tick after settling, and on abort', async () => {
    const order = new KeyOrder('send');
    const [a1, a2] = records(2);
    order.enter(a1!, 'a');
    order.enter(a2!, 'a');
    let woken = 0;
    const waiting = order.next(new AbortController().signal).then(() => woken++);
    order.settle(a1!, 'a', true);
    order.settle(a2!, 'a', true);
    await waiting;
    expect(woken).to.equal(1);
    const controller = new AbortController();
    const aborted = order.next(controller.signal);
    controller.abort();
    await aborted;
  });
});
