import { expect } from 'chai';
import { SharedCall } from '../../lib/shared/sharedCall.js';

describe('SharedCall', () => {
  it('makes one call for the callers that come while it runs, and keeps its value', async () => {
    let calls = 0;
    const shared = new SharedCall(async () => ++calls);
    const signal = new AbortController().signal;
    expect(shared.peek()).to.equal(undefined);
    expect(await Promise.all([shared.get(signal), shared.get(signal)])).to.deep.equal([1, 1]);
    expect(await shared.get(signal)).to.equal(1);
    expect(shared.peek()).to.equal(1);
    shared.drop();
    expect(shared.peek()).to.equal(undefined);
    expect(await shared.get(signal)).to.equal(2);
  });

  it('drops a call that failed (an abort): the next caller starts another', async () => {
    let calls = 0;
    const shared = new SharedCall(async (signal: AbortSignal) => {
      calls++;
      if (signal.aborted) throw signal.reason;
      return calls;
    });
    const aborted = new AbortController();
    aborted.abort();
    const error = await shared.get(aborted.signal).catch((reason: unknown) => reason);
    expect(error).to.have.property('name', 'AbortError');
    expect(await shared.get(new AbortController().signal)).to.equal(2);
  });
});
