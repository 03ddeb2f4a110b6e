/**
 * The retry policy: backoff with full jitter.
 */
import { expect } from 'chai';
import { backoffDelay } from '../../lib/shared/retry.js';

describe('backoffDelay', () => {
  const policy = { maxAttempts: 10, minDelayMs: 100, maxDelayMs: 5000 };
  it('doubles its ceiling per retry up to maxDelay, never below minDelay', () => {
    expect([1, 2, 3, 10].map((retry) => backoffDelay(policy, retry, () => 0.999999))).to.satisfy((delays: number[]) =>
      delays.every((d, i) => Math.abs(d - [200, 400, 800, 5000][i]!) < 1),
    );
    expect(backoffDelay(policy, 7, () => 0)).to.equal(100);
  });
});
