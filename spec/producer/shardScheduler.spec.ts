/**
 * Unit tests of the shard scheduler's two paths, with a stub sender and a fake clock for the
 * limiter: while every budget is open, rounds are queued and sent in order without predicting a
 * single shard; a throttle engages its shard's budget and from then on records are predicted and
 * wait in their shard's lane (what was still queued too); once the budget reopens, the queue
 * again. Each round gets one outcome per record, in its order, whatever the path.
 */
import { expect } from 'chai';
import { THROTTLED_ERROR_CODE } from '../../lib/kinesis/errorCodes.js';
import { ShardMap } from '../../lib/kinesis/shardMap.js';
import type { EntryOutcome } from '../../lib/producer/answer.js';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import { SERVICE_REQUEST_LIMITS } from '../../lib/producer/planner.js';
import type { Outgoing } from '../../lib/producer/planner.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';
import { SHARD_LIMIT_AIMD, ShardLimiter } from '../../lib/producer/shardLimiter.js';
import { ShardMapCache } from '../../lib/producer/shardMapCache.js';
import { ShardScheduler } from '../../lib/producer/shardScheduler.js';
import { silentLogger } from '../support/collect.js';
import { evenShards } from '../support/stubs.js';

/** The stream's shards, as the stub service places records. */
const SHARDS = evenShards(2);
const TRUTH = ShardMap.fromShards(SHARDS)!;

const record = (partitionKey: string): Outgoing => ({
  record: { accepted: true, item: partitionKey, partitionKey, explicitHashKey: undefined, data: new Uint8Array(20), dataStart: 0, dataBytes: 20, bytes: 20 + partitionKey.length, wireBytes: entryBytes(20, partitionKey, undefined) },
});

/** `count` records with keys `<prefix>-0` .. */
const round = (prefix: string, count: number): Outgoing[] => Array.from({ length: count }, (_, index) => record(`${prefix}-${index}`));

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A scheduler over a stub service that throttles the shards in `throttling`, and counts what the scheduler predicts. */
async function setUp(options: { concurrency?: number; hold?: boolean } = {}) {
  const clock = { now: 0 };
  const throttling = new Set<string>();
  const requests: string[][] = [];
  const held: (() => void)[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let listings = 0;
  const send = async (records: readonly AcceptedRecord<unknown>[]): Promise<EntryOutcome[]> => {
    requests.push(records.map((sent) => sent.partitionKey));
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    if (options.hold === true) await new Promise<void>((resolve) => held.push(resolve));
    else await tick();
    inFlight--;
    return records.map((sent): EntryOutcome => {
      const shardId = TRUTH.predict(sent.partitionKey);
      return throttling.has(shardId)
        ? { ok: false, errorCode: THROTTLED_ERROR_CODE, errorMessage: `Rate exceeded for shard ${shardId}`, retryable: true, possiblyWritten: false }
        : { ok: true, shardId, sequenceNumber: sent.partitionKey };
    });
  };
  const shardMaps = new ShardMapCache(
    async () => {
      listings++;
      return SHARDS;
    },
    silentLogger,
    'stream',
  );
  const stopping = new AbortController();
  const map = (await shardMaps.get(stopping.signal))!;
  let predictions = 0;
  const predict = map.predict.bind(map);
  map.predict = (partitionKey, explicitHashKey) => (predictions++, predict(partitionKey, explicitHashKey));
  const limiter = new ShardLimiter({ recordsPerSecond: 1000, bytesPerSecond: 1_000_000 }, () => clock.now, SHARD_LIMIT_AIMD);
  const scheduler = new ShardScheduler({ send, limiter, shardMaps, limits: SERVICE_REQUEST_LIMITS, concurrency: options.concurrency ?? 1, signal: stopping.signal, clock: () => clock.now });
  return {
    clock,
    throttling,
    requests,
    held,
    limiter,
    scheduler,
    shardMaps,
    signal: new AbortController().signal,
    predictions: () => predictions,
    listings: () => listings,
    mostInFlight: () => mostInFlight,
    stop: () => stopping.abort(),
  };
}

/** The keys of a round's outcomes that failed throttled, and that every outcome is the one of its own record. */
function throttledKeys(sent: readonly Outgoing[], outcomes: readonly EntryOutcome[]): string[] {
  expect(outcomes).to.have.length(sent.length);
  return outcomes.flatMap((outcome, index) => {
    const { partitionKey } = sent[index]!.record;
    if (outcome.ok) {
      expect(outcome.sequenceNumber, 'the outcome of its own record').to.equal(partitionKey);
      return [];
    }
    expect(outcome.errorCode).to.equal(THROTTLED_ERROR_CODE);
    return [partitionKey];
  });
}

const onShard = (shardId: string) => (key: string) => TRUTH.predict(key) === shardId;

describe('ShardScheduler', () => {
  it('open -> engaged -> open: predicts nothing while every budget is open, laned by shard once one is engaged, and the queue again once it reopens', async () => {
    const run = await setUp();
    try {
      // open: one request, in order, no prediction; the answers count for the shards they name
      const first = round('a', 40);
      expect(throttledKeys(first, await run.scheduler.dispatch(first, run.signal))).to.deep.equal([]);
      expect(run.requests).to.deep.equal([first.map((outgoing) => outgoing.record.partitionKey)]);
      expect(run.predictions()).to.equal(0);
      expect(run.scheduler.snapshot().reduce((sum, shard) => sum + shard.acceptedRecords, 0)).to.equal(40);

      // a throttle: only the throttled records are predicted, and their shard engages
      run.throttling.add('shard-0');
      const second = round('b', 40);
      const throttled = throttledKeys(second, await run.scheduler.dispatch(second, run.signal));
      expect(throttled).to.deep.equal(second.map((outgoing) => outgoing.record.partitionKey).filter(onShard('shard-0')));
      expect(run.predictions()).to.equal(throttled.length);
      expect(run.scheduler.snapshot().map((shard) => [shard.shardId, shard.engaged, shard.throttledRecords])).to.deep.equal([
        ['shard-0', true, throttled.length],
        ['shard-1', false, 0],
      ]);

      // engaged: every record is predicted; shard-1's go at once, shard-0's wait for its budget
      run.throttling.clear();
      const third = round('c', 40);
      const outcomes = run.scheduler.dispatch(third, run.signal);
      expect(run.predictions()).to.equal(throttled.length + 40);
      const keys = third.map((outgoing) => outgoing.record.partitionKey);
      expect(run.requests.at(-1)).to.deep.equal(keys.filter(onShard('shard-1')));
      expect(run.scheduler.snapshot()[0]!.waitingRecords).to.equal(keys.filter(onShard('shard-0')).length);
      run.clock.now += 1_000; // room for 160 records (0.2 s of 800 records/s)
      expect(throttledKeys(third, await outcomes)).to.deep.equal([]);
      expect(run.requests.at(-1)).to.deep.equal(keys.filter(onShard('shard-0')));

      // 10 s on: shard-0's budget held records back in that window, so it stays engaged
      run.clock.now += 10_000;
      const fourth = round('d', 40);
      throttledKeys(fourth, await run.scheduler.dispatch(fourth, run.signal));
      expect(run.limiter.anyEngaged()).to.equal(true);
      // 10 s more without a throttle, nothing held back: it reopens on the next answer, and the queue is back
      run.clock.now += 10_000;
      const again = round('d2', 40);
      throttledKeys(again, await run.scheduler.dispatch(again, run.signal));
      expect(run.limiter.anyEngaged()).to.equal(false);
      const predicted = run.predictions();
      const fifth = round('e', 40);
      throttledKeys(fifth, await run.scheduler.dispatch(fifth, run.signal));
      expect(run.predictions()).to.equal(predicted);
      expect(run.requests.at(-1)).to.deep.equal(fifth.map((outgoing) => outgoing.record.partitionKey));
    } finally {
      run.stop();
    }
  });

  it('lanes what is still queued when a shard engages: those records wait for its budget too', async () => {
    const run = await setUp({ hold: true });
    try {
      run.throttling.add('shard-0');
      const first = round('a', 20);
      const second = round('b', 20);
      const firstOutcomes = run.scheduler.dispatch(first, run.signal);
      const secondOutcomes = run.scheduler.dispatch(second, run.signal);
      expect(run.requests).to.have.length(1); // concurrency 1: the second round is queued
      run.held.shift()!(); // the answer throttles shard-0's records
      expect(throttledKeys(first, await firstOutcomes)).to.deep.equal(first.map((outgoing) => outgoing.record.partitionKey).filter(onShard('shard-0')));
      run.throttling.clear();
      const keys = second.map((outgoing) => outgoing.record.partitionKey);
      expect(run.requests.at(-1), 'only the open shard goes').to.deep.equal(keys.filter(onShard('shard-1')));
      run.held.shift()!();
      run.clock.now += 1_000;
      await tick(40);
      run.held.shift()!();
      expect(throttledKeys(second, await secondOutcomes)).to.deep.equal([]);
      expect(run.requests.at(-1)).to.deep.equal(keys.filter(onShard('shard-0')));
    } finally {
      run.stop();
    }
  });

  it('on the queue path, fills requests across rounds, and keeps at most `concurrency` requests in flight', async () => {
    const run = await setUp({ concurrency: 2 });
    try {
      const rounds = [round('a', 300), round('b', 300), round('c', 450), round('d', 100)];
      const outcomes = await Promise.all(rounds.map((sent) => run.scheduler.dispatch(sent, run.signal)));
      rounds.forEach((sent, index) => expect(throttledKeys(sent, outcomes[index]!)).to.deep.equal([]));
      // the first two go as they come; the next two wait for a slot, and share a request
      expect(run.requests.map((keys) => keys.length)).to.deep.equal([300, 300, 500, 50]);
      expect(run.requests.flat()).to.deep.equal(rounds.flat().map((outgoing) => outgoing.record.partitionKey));
      expect(run.mostInFlight()).to.equal(2);
      expect(run.predictions()).to.equal(0);
    } finally {
      run.stop();
    }
  });

  it('lists the shards again when an answer names a shard the map does not know (a reshard), without predicting anything', async () => {
    const run = await setUp();
    try {
      const resharded = ShardMap.fromShards(evenShards(4))!;
      // the service places records on shards the map does not have
      const sent = round('a', 20);
      const send = async (records: readonly AcceptedRecord<unknown>[]): Promise<EntryOutcome[]> =>
        records.map((r): EntryOutcome => ({ ok: true, shardId: `new-${resharded.predict(r.partitionKey)}`, sequenceNumber: r.partitionKey }));
      const scheduler = new ShardScheduler({
        send,
        limiter: run.limiter,
        shardMaps: run.shardMaps,
        limits: SERVICE_REQUEST_LIMITS,
        concurrency: 1,
        signal: new AbortController().signal,
        clock: () => run.clock.now,
      });
      await scheduler.dispatch(sent, run.signal);
      expect(run.shardMaps.peek(), 'invalidated').to.equal(undefined);
      await scheduler.dispatch(round('b', 5), run.signal);
      await tick();
      expect(run.listings()).to.equal(2);
      expect(run.predictions()).to.equal(0);
    } finally {
      run.stop();
    }
  });
});
