/**
 * Backpressure: a Node Readable as an Observable, and the hook that pauses it.
 */
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { fromReadable, pauseWhenBusy } from '../../lib/index.js';

describe('fromReadable and pauseWhenBusy', () => {
  it('pauses at the high mark, resumes at the low mark, and does nothing in between', () => {
    const readable = new Readable({ read() {} });
    readable.resume();
    const hook = pauseWhenBusy(readable, { high: 10, low: 2 });
    const states = [5, 10, 11, 5, 3, 2, 9, 10].map((records) => {
      hook({ records, bytes: 0, buffered: 0 });
      return readable.isPaused();
    });
    expect(states).to.deep.equal([false, true, true, true, true, false, false, true]);
  });

  it('resumes above the low mark when every waiting record is in the batch being filled (nothing is being sent)', () => {
    const readable = new Readable({ read() {} });
    readable.resume();
    const hook = pauseWhenBusy(readable, { high: 1000, low: 200 });
    hook({ records: 1000, bytes: 0, buffered: 300 });
    expect(readable.isPaused()).to.equal(true);
    hook({ records: 500, bytes: 0, buffered: 300 }); // a batch of 500 still in flight
    expect(readable.isPaused()).to.equal(true);
    hook({ records: 300, bytes: 0, buffered: 300 }); // only the open batch: it fills only if the source flows
    expect(readable.isPaused()).to.equal(false);
  });

  it('does not pause while every waiting record is in the open batch (marks below the batch size)', () => {
    const readable = new Readable({ read() {} });
    readable.resume();
    const hook = pauseWhenBusy(readable, { high: 200, low: 50, highBytes: 1000 });
    hook({ records: 300, bytes: 5000, buffered: 300 });
    expect(readable.isPaused()).to.equal(false);
    hook({ records: 500, bytes: 9000, buffered: 0 }); // the batch closed and is being sent
    expect(readable.isPaused()).to.equal(true);
  });

  it('pauses on bytes too, and resumes only when both records and bytes are down', () => {
    const readable = new Readable({ read() {} });
    readable.resume();
    const hook = pauseWhenBusy(readable, { high: 1000, low: 200, highBytes: 4000, lowBytes: 1000 });
    hook({ records: 10, bytes: 4000, buffered: 0 });
    expect(readable.isPaused()).to.equal(true);
    hook({ records: 5, bytes: 2000, buffered: 0 });
    expect(readable.isPaused()).to.equal(true);
    hook({ records: 4, bytes: 1000, buffered: 0 });
    expect(readable.isPaused()).to.equal(false);
  });

  it('emits the chunks of a Readable, completes at its end, and destroys it when unsubscribed', async () => {
    const chunks = await lastValueFrom(fromReadable<number>(Readable.from([1, 2, 3])).pipe(toArray()));
    expect(chunks).to.deep.equal([1, 2, 3]);
    const endless = new Readable({ objectMode: true, read() { this.push(1); } });
    const subscription = fromReadable<number>(endless).subscribe();
    subscription.unsubscribe();
    expect(endless.destroyed).to.equal(true);
  });
});
