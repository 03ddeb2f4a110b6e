/**
 * fromKinesis behind the fault proxy (spec/support/faultProxy.ts) in front of kinesalite: answers
 * whose body trickles in are abandoned at `requestTimeout`, on every call the reader makes.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import { silentLogger } from '../support/collect.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { fromKinesis } from '../../lib/index.js';

describe('fromKinesis under injected faults (fault proxy in front of kinesalite)', function () {
  this.timeout(20_000);

  for (const operation of ['ListShards', 'GetShardIterator', 'GetRecords']) {
    it(`abandons a ${operation} answer that trickles in at requestTimeout, retries it, and errors with TimeoutError after retry.maxAttempts`, async () => {
      const stream = uniqueStreamName('trickle');
      await localKinesis().createStream(stream, 1);
      const proxy = await startFaultProxy(localKinesis().endpoint, { slowBody: { byteEveryMs: 200, operations: [operation] } });
      try {
        const started = performance.now();
        const read = fromKinesis({
          streamName: stream,
          endpoint: proxy.endpoint,
          credentials: localKinesis().credentials,
          logger: silentLogger,
          requestTimeout: '500ms',
          retry: { maxAttempts: 2, minDelay: '10ms', maxDelay: '10ms' },
        });
        const error = await firstValueFrom(read).then(() => undefined, (e: unknown) => e);
        expect(error).to.have.property('name', 'TimeoutError');
        expect(proxy.stats.slowAnswers).to.equal(2);
        expect(performance.now() - started, 'two attempts of 500 ms, not the minutes a trickle takes').to.be.below(5_000);
      } finally {
        await proxy.close();
      }
    });
  }
});
