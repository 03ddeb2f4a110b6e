/**
 * Unit tests of the per-shard limiter, on a fake clock: open until the first throttle, then token
 * buckets at the budget, cut once per round trip, grown back while records are accepted, never
 * over the ceiling nor under the floor.
 */
import { expect } from 'chai';
import { SHARD_LIMIT_AIMD, ShardLimiter } from '../../lib/producer/shardLimiter.js';

const CEILING = { recordsPerSecond: 1000, bytesPerSecond: 1_000_000 };
const SHARD = 'shardId-000000000000';

/** A limiter on a clock the test moves. */
function limiterAt(start = 0) {
  const clock = { now: start };
  const limiter = new ShardLimiter(CEILING, () => clock.now);
  return { limiter, clock };
}

/** Records of `bytes` taken now, until one is refused (at most `max`). */
function drain(limiter: ShardLimiter, bytes = 100, max = 100_000): number {
  let taken = 0;
  while (taken < max && limiter.take(SHARD, bytes)) taken++;
  return taken;
}

describe('ShardLimiter', () => {
  it('starts open: every record may go, however many', () => {
    const { limiter } = limiterAt();
    expect(drain(limiter, 100, 50_000)).to.equal(50_000);
    expect(limiter.waitMs(SHARD, 100)).to.equal(0);
    expect(limiter.state(SHARD)).to.include({ engaged: false, recordsPerSecond: 1000 });
  });

  it('engages on the first throttle at 0.8 of the ceiling, with empty buckets, then lets records through at the budget', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 10, 0);
    expect(limiter.state(SHARD)).to.include({ engaged: true, recordsPerSecond: 800, throttledRecords: 10 });
    expect(drain(limiter)).to.equal(0);
    expect(limiter.waitMs(SHARD, 100)).to.be.closeTo(1000 / 800, 1e-9);
    clock.now += 100;
    expect(drain(limiter)).to.equal(80);
    clock.now += 10_000; // a long pause: the buckets hold 0.2 s of the budget, no more
    expect(drain(limiter)).to.equal(800 * SHARD_LIMIT_AIMD.burstSeconds);
  });

  it('limits by bytes as well as records', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 1, 0);
    clock.now += 100; // 80 records or 80,000 bytes of room
    expect(drain(limiter, 10_000)).to.equal(8);
    expect(limiter.waitMs(SHARD, 10_000)).to.be.closeTo((10_000 / 800_000) * 1000, 1e-6);
  });

  it('lets a record larger than the byte bucket through when the bucket is full, leaving it in debt', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 1, 0);
    clock.now += 200; // the byte bucket is full: 160,000 bytes
    expect(limiter.take(SHARD, 500_000)).to.equal(true);
    expect(limiter.take(SHARD, 100)).to.equal(false);
    expect(limiter.waitMs(SHARD, 100)).to.be.greaterThan(400); // 340,000 bytes of debt at 800,000 B/s
  });

  it('cuts once per round trip: throttles of records sent before the last cut are not counted twice', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 5, 0); // engaged at 800 (cut at t=0)
    clock.now = 50;
    limiter.throttled(SHARD, 5, -10); // sent before the cut: no new information
    expect(limiter.state(SHARD).recordsPerSecond).to.equal(800);
    limiter.throttled(SHARD, 5, 20); // sent after the cut
    expect(limiter.state(SHARD).recordsPerSecond).to.be.closeTo(640, 1e-9);
    limiter.throttled(SHARD, 5, 30); // sent before the second cut (t=50)
    expect(limiter.state(SHARD).recordsPerSecond).to.be.closeTo(640, 1e-9);
  });

  it('never cuts the budget under 5% of the ceiling', () => {
    const { limiter, clock } = limiterAt();
    for (let round = 0; round < 100; round++) {
      limiter.throttled(SHARD, 1, clock.now);
      clock.now += 10;
    }
    expect(limiter.state(SHARD).recordsPerSecond).to.be.closeTo(1000 * SHARD_LIMIT_AIMD.minShare, 1e-9);
  });

  it('grows back linearly while records are accepted, 10% of the ceiling per second of sending at the budget, up to the ceiling', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 1, 0); // 800 records/s
    // one second of sending at the budget, answered in 20 ms slices
    for (let slice = 0; slice < 50; slice++) {
      clock.now += 20;
      const rate = limiter.state(SHARD).recordsPerSecond;
      limiter.accepted(SHARD, rate / 50, (rate / 50) * 100, clock.now - 20);
    }
    expect(limiter.state(SHARD).recordsPerSecond).to.be.closeTo(900, 5);
    for (let slice = 0; slice < 500; slice++) {
      clock.now += 20;
      limiter.accepted(SHARD, 20, 2000, clock.now - 20);
    }
    expect(limiter.state(SHARD)).to.include({ recordsPerSecond: 1000, bytesPerSecond: 1_000_000, engaged: true });
  });

  it('does not grow on answers to records sent before the last cut', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 1, 0);
    clock.now = 100;
    limiter.accepted(SHARD, 500, 50_000, -5);
    expect(limiter.state(SHARD).recordsPerSecond).to.equal(800);
    expect(limiter.state(SHARD).acceptedRecords).to.equal(500);
  });

  it('two producers sharing a shard converge on fair shares, and a lone producer stays under the ceiling', () => {
    // A shard of 1,000 records/s with one second of burst; two limiters that send as much as their
    // budgets allow, every 10 ms, in an order drawn each time, answered at once.
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const clock = { now: 0 };
    const producers = [new ShardLimiter(CEILING, () => clock.now), new ShardLimiter(CEILING, () => clock.now)];
    let shardTokens = 1000;
    const accepted = [0, 0];
    let throttled = 0;
    let sent = 0;
    for (let tick = 0; tick < 6000; tick++) {
      clock.now += 10;
      shardTokens = Math.min(1000, shardTokens + 10);
      // the second producer starts after 10 s; each one has more to send than its budget
      const order = random() < 0.5 ? [0, 1] : [1, 0];
      order.forEach((index) => {
        const limiter = producers[index]!;
        if (index === 1 && clock.now < 10_000) return;
        let ok = 0;
        let refused = 0;
        for (let n = 0; n < 40 && limiter.take(SHARD, 100); n++) {
          sent++;
          if (shardTokens >= 1) {
            shardTokens--;
            ok++;
          } else {
            refused++;
          }
        }
        if (ok > 0) limiter.accepted(SHARD, ok, ok * 100, clock.now);
        if (refused > 0) limiter.throttled(SHARD, refused, clock.now);
        if (clock.now > 30_000) accepted[index]! += ok;
        throttled += refused;
      });
    }
    const [first, second] = accepted as [number, number];
    expect((first + second) / 30, 'records/s over the last 30 s').to.be.above(900);
    expect(Math.min(first, second) / (first + second), 'the smaller share').to.be.above(0.4);
    expect(throttled / sent, 'throttled').to.be.below(0.05);
  });

  it('reopens a budget once it went 10 s without a throttle and without holding a record back; engages it again on the next throttle', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 1, 0);
    expect(limiter.anyEngaged()).to.equal(true);
    clock.now = 5_000;
    expect(limiter.take(SHARD, 100), 'a record within the budget').to.equal(true);
    clock.now = 9_999;
    expect(limiter.reopenQuiet(), 'the window is not over').to.equal(1);
    clock.now = 10_000;
    expect(limiter.reopenQuiet()).to.equal(0);
    expect(limiter.anyEngaged()).to.equal(false);
    expect(limiter.state(SHARD)).to.include({ engaged: false, recordsPerSecond: 1000 });
    expect(drain(limiter, 100, 5_000)).to.equal(5_000);
    limiter.throttled(SHARD, 1, 10_001);
    expect(limiter.state(SHARD)).to.include({ engaged: true, recordsPerSecond: 800 });
  });

  it('keeps a budget engaged while it holds records back (whatever the share), or was cut within the window', () => {
    const { limiter, clock } = limiterAt();
    limiter.throttled(SHARD, 1, 0);
    clock.now = 5_000;
    drain(limiter); // more than the budget: the last one is held back
    clock.now = 10_000;
    expect(limiter.reopenQuiet(), 'held records back').to.equal(1);
    clock.now = 15_000;
    limiter.throttled(SHARD, 1, 14_000); // a cut starts a new window
    clock.now = 20_000;
    expect(limiter.reopenQuiet(), '5 s after the cut').to.equal(1);
    clock.now = 25_000;
    expect(limiter.reopenQuiet(), '10 s after the cut, nothing held back').to.equal(0);
  });

  it('forgets an engaged shard closed by a reshard: nothing is engaged any more', () => {
    const { limiter } = limiterAt();
    limiter.throttled(SHARD, 1, 0);
    limiter.track(new Set(['shardId-000000000001']));
    expect(limiter.anyEngaged()).to.equal(false);
  });
});
