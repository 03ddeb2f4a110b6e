/** Deadlines: a call abandoned when it takes too long, or when its caller aborts first. */
import { expect } from 'chai';
import { withDeadline } from '../../lib/shared/deadline.js';

/** A call that ends only when its signal aborts. */
const endless = (signal: AbortSignal): Promise<never> => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

describe('withDeadline', () => {
  it('abandons a call that takes longer than the deadline with a TimeoutError', async () => {
    const started = performance.now();
    const error = await withDeadline(endless, new AbortController().signal, 50).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('name', 'TimeoutError');
    expect((error as Error).message).to.include('50 ms');
    expect(performance.now() - started).to.be.below(1_000);
  });

  it("passes on the caller's abort as it is, not as a timeout", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const error = await withDeadline(endless, controller.signal, 5_000).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('name', 'AbortError');
  });

  it('returns what the call returns, and leaves no listener on the caller’s signal', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const { addEventListener, removeEventListener } = controller.signal;
    controller.signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => ((listeners += 1), addEventListener.apply(controller.signal, args));
    controller.signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => ((listeners -= 1), removeEventListener.apply(controller.signal, args));
    for (let i = 0; i < 3; i++) expect(await withDeadline(async () => i, controller.signal, 1_000)).to.equal(i);
    expect(listeners).to.equal(0);
  });

  it('with no deadline (0), calls with the caller’s signal itself', async () => {
    const signal = new AbortController().signal;
    expect(await withDeadline(async (given) => given === signal, signal, 0)).to.equal(true);
  });
});
