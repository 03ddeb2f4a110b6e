/** The client: one per operator, shared by its subscriptions, closed once unused for a while. */
import { setTimeout as sleep } from 'node:timers/promises';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { clientLeases } from '../../lib/shared/client.js';

const options = { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, requestTimeoutMs: 1_000 };

/** Counts the destroy() calls of a client. */
function watchDestroy(client: KinesisClient): { count: number } {
  const seen = { count: 0 };
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    seen.count += 1;
    destroy();
  };
  return seen;
}

describe('clientLeases', () => {
  it('gives every subscription the same client, and closes it once the last one released it and it stayed unused', async () => {
    const lease = clientLeases(options, 30);
    const a = lease();
    const b = lease();
    expect(b.client).to.equal(a.client);
    expect(a.requestTimeoutMs).to.equal(1_000);
    const destroyed = watchDestroy(a.client);
    a.release();
    a.release(); // a second release of one lease counts once
    await sleep(60);
    expect(destroyed.count, 'still leased by b').to.equal(0);
    b.release();
    expect(destroyed.count, 'kept for the idle time').to.equal(0);
    await sleep(60);
    expect(destroyed.count).to.equal(1);
    const c = lease();
    expect(c.client, 'a new client after the idle close').to.not.equal(a.client);
    c.release();
  });

  it('keeps the client when a subscription takes it again within the idle time', async () => {
    const lease = clientLeases(options, 40);
    const a = lease();
    const destroyed = watchDestroy(a.client);
    a.release();
    await sleep(10);
    const b = lease();
    expect(b.client).to.equal(a.client);
    await sleep(60);
    expect(destroyed.count).to.equal(0);
    b.release();
    await sleep(60);
    expect(destroyed.count).to.equal(1);
  });

  it("never closes the caller's client, and sets no deadline of its own on it", () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    try {
      const destroyed = watchDestroy(client);
      const lease = clientLeases({ ...options, client }, 0)();
      expect(lease).to.include({ client, requestTimeoutMs: 0 });
      lease.release();
      expect(destroyed.count).to.equal(0);
    } finally {
      client.destroy();
    }
  });
});
