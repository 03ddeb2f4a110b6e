/**
 * `ordering: 'key'` against real endpoints, reading back what landed: the shard simulator
 * (`spec/support/shardSimulator.ts`, 200 records/s per shard, as in the shard-limit spec, so that
 * records are throttled and retried), with and without aggregation, with a hot key, and with a
 * `SplitShard` halfway; and kinesalite behind the fault proxy (500s, throttles, withheld
 * records, connections cut before and after the write). Each source is faster than the stream,
 * paced by backpressure. Checked each time: zero records out of their key's order in the stream
 * read as a consumer reads it (shard by shard, parents before children, aggregates unpacked), and
 * exactly one outcome per item. Then the operator's lifecycle with ordering on: an empty source, one
 * that never emits, one that errors, and an early unsubscribe while records wait for their key.
 */
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { concat, EMPTY, from, lastValueFrom, NEVER, tap, throwError, toArray } from 'rxjs';
import { silentLogger } from '../support/collect.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { checkKeyOrder, eventsIn } from '../support/keyOrderCheck.js';
import type { KeyedEvent, KeyOrderReport } from '../support/keyOrderCheck.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { startShardSimulator } from '../support/shardSimulator.js';
import type { ShardSimulator } from '../support/shardSimulator.js';
import { fromReadable, pauseWhenBusy, toKinesis } from '../../lib/index.js';
import type { KinesisRecordResult, ToKinesisConfig } from '../../lib/index.js';

const RECORDS_PER_SECOND = 200;
const HIGH_WATER = 1_000;

interface Event extends KeyedEvent {
  readonly note: string;
}

/** Events over `keys` keys (or, with `hotKeyShare`, one key carrying that share), each key's numbered in order. */
function* events(prefix: string, keys: number, until: number, hotKeyShare = 0): Generator<Event> {
  const next = new Map<string, number>();
  for (let n = 0; performance.now() < until; n++) {
    const key = Math.random() < hotKeyShare ? 'hot' : `key-${Math.floor(Math.random() * keys)}`;
    const seq = next.get(key) ?? 0;
    next.set(key, seq + 1);
    yield { id: `${prefix}-${n}`, key, seq, note: 'x'.repeat(40) };
  }
}

/** Runs a source faster than the stream through `toKinesis` until `runMs`; every outcome. */
async function produce(source: Readable, config: ToKinesisConfig<Event>): Promise<KinesisRecordResult<Event>[]> {
  const outcomes: KinesisRecordResult<Event>[] = [];
  await lastValueFrom(
    fromReadable<Event>(source).pipe(
      toKinesis<Event>({
        logger: silentLogger,
        partitionKey: 'key',
        concurrency: 4,
        ordering: 'key',
        batch: { duration: '50ms' },
        backlog: { maxRecords: HIGH_WATER, onChange: pauseWhenBusy(source, { high: HIGH_WATER, low: HIGH_WATER / 2 }) },
        ...config,
      }),
      tap((batch) => outcomes.push(...batch.records)),
    ),
    { defaultValue: undefined },
  );
  return outcomes;
}

/** One outcome per item, all written. */
function expectAllWritten(outcomes: readonly KinesisRecordResult<Event>[], report: KeyOrderReport): void {
  expect(new Set(outcomes.map((outcome) => outcome.item.id)).size, 'one outcome per item').to.equal(outcomes.length);
  const failed = outcomes.filter((outcome) => outcome.status === 'failed');
  expect(failed.slice(0, 3), `${failed.length} failed`).to.deep.equal([]);
  expect(report.distinct, 'items in the stream').to.equal(outcomes.length);
}

describe("toKinesis with ordering: 'key' (shard simulator, 200 records/s per shard)", function () {
  this.timeout(60_000);
  let sim: ShardSimulator;
  before(async () => {
    sim = await startShardSimulator({ recordsPerSecond: RECORDS_PER_SECOND, bytesPerSecond: RECORDS_PER_SECOND * 1024, latencyMs: [10, 20] });
  });
  after(() => sim.close());

  /** Runs one producer on a fresh 2-shard stream for `runMs`; the stream read back as a consumer reads it. */
  async function run(name: string, options: { keys: number; hotKeyShare?: number; runMs?: number; config?: Partial<ToKinesisConfig<Event>>; during?: (stream: string) => void }) {
    const streamName = `ordering-${name}`;
    sim.createStream(streamName, 2);
    sim.reset();
    const runMs = options.runMs ?? 4_000;
    const during = options.during && setTimeout(() => options.during!(streamName), runMs / 2);
    try {
      const source = Readable.from(events(name, options.keys, performance.now() + runMs, options.hotKeyShare));
      const started = performance.now();
      const outcomes = await produce(source, {
        streamName,
        client: sim.client(),
        shardLimit: { recordsPerSecond: RECORDS_PER_SECOND, bytesPerSecond: RECORDS_PER_SECOND * 1024 },
        ...options.config,
      });
      const seconds = (performance.now() - started) / 1000;
      const stats = sim.stats().streams[streamName]!;
      // Shards in creation order: parents before their children, as the KCL and fromKinesis read them.
      const report = checkKeyOrder(Object.values(sim.records(streamName)).flatMap((records) => records.flatMap((record) => eventsIn(record.data))));
      console.log(
        `    [ordering] ${name}: ${outcomes.length} records in ${seconds.toFixed(1)} s (${Math.round(outcomes.length / seconds)}/s), ` +
          `${stats.throttledRecords} throttled attempts, ${report.outOfOrder} out of key order, ${report.duplicates} duplicates`,
      );
      return { outcomes, report, stats };
    } finally {
      clearTimeout(during);
    }
  }

  it('200 keys, concurrency 4, throttled and retried: zero records out of their key order, every item once', async () => {
    const { outcomes, report, stats } = await run('keys', { keys: 200 });
    expectAllWritten(outcomes, report);
    expect(report.outOfOrder, report.examples.join(', ')).to.equal(0);
    expect(report.duplicates).to.equal(0);
    expect(stats.throttledRecords, 'some records throttled (the test means something)').to.be.above(0);
  });

  it('a hot key with aggregation: its records ride together in aggregates, in order, faster than one per round trip', async () => {
    const { outcomes, report } = await run('hot-aggregated', { keys: 200, hotKeyShare: 0.4, config: { aggregation: true } });
    expectAllWritten(outcomes, report);
    expect(report.outOfOrder, report.examples.join(', ')).to.equal(0);
    const hot = outcomes.filter((outcome) => outcome.item.key === 'hot' && outcome.status === 'ok');
    // One record per round trip (10-20 ms here) would be at most 100/s, 400 in 4 s.
    expect(hot.length, 'hot key records written').to.be.above(800);
    expect(hot.some((outcome) => outcome.status === 'ok' && outcome.subSequenceNumber !== undefined && outcome.subSequenceNumber > 0)).to.equal(true);
  });

  it('a SplitShard halfway: a key moving to a child shard does not overtake its records in the parent', async () => {
    for (const aggregation of [false, true]) {
      const { outcomes, report } = await run(`split-${aggregation ? 'aggregated' : 'plain'}`, {
        keys: 50,
        runMs: 3_000,
        config: { aggregation },
        during: (stream) => sim.splitShard(stream, 'shardId-000000000000'),
      });
      expectAllWritten(outcomes, report);
      expect(report.outOfOrder, report.examples.join(', ')).to.equal(0);
    }
  });
});

describe("toKinesis with ordering: 'key' under faults (kinesalite behind the fault proxy)", function () {
  this.timeout(60_000);

  it('500s, throttles, withheld records and cut connections: first copies in key order, one outcome per item, all written', async () => {
    const streamName = uniqueStreamName('ordering-faults');
    await localKinesis().createStream(streamName, 2);
    const proxy = await startFaultProxy(localKinesis().endpoint, { seed: 7, withhold: 0.2, http500: 0.05, throttle: 0.03, cutBeforeForward: 0.03, cutAfterForward: 0.05, latencyMs: [1, 10] });
    try {
      const items = Array.from({ length: 3_000 }, (_, n): Event => ({ id: `f-${n}`, key: `key-${n % 37}`, seq: Math.floor(n / 37), note: 'x' }));
      const outcomes: KinesisRecordResult<Event>[] = [];
      await lastValueFrom(
        from(items).pipe(
          toKinesis<Event>({
            streamName,
            endpoint: proxy.endpoint,
            credentials: localKinesis().credentials,
            logger: silentLogger,
            partitionKey: 'key',
            ordering: 'key',
            concurrency: 4,
            batch: { size: 100 },
            retry: { maxAttempts: 30, minDelay: '1ms', maxDelay: '5ms' },
            shardLimit: false,
          }),
          tap((batch) => outcomes.push(...batch.records)),
        ),
      );
      const report = checkKeyOrder((await localKinesis().readStream(streamName)).flatMap((record) => eventsIn(record.data)));
      console.log(`    [ordering] faults: ${report.distinct} records, ${report.duplicates} duplicates (cut after the write), ${report.outOfOrder} out of key order; proxy ${JSON.stringify(proxy.stats)}`);
      expectAllWritten(outcomes, report);
      expect(report.outOfOrder, report.examples.join(', ')).to.equal(0);
      expect(proxy.stats.cutAfterForwardRequests, 'requests cut after the write').to.be.above(0);
      expect(outcomes.filter((outcome) => outcome.status === 'ok' && outcome.possiblyDuplicated).length, 'possibly duplicated, reported').to.be.above(0);
    } finally {
      await proxy.close();
    }
  });
});

describe("toKinesis with ordering: 'key': empty, never, error, early unsubscribe (kinesalite)", function () {
  this.timeout(30_000);
  const config = (streamName: string, overrides: Partial<ToKinesisConfig<Event>> = {}): ToKinesisConfig<Event> => ({
    streamName,
    endpoint: localKinesis().endpoint,
    credentials: localKinesis().credentials,
    logger: silentLogger,
    partitionKey: 'key',
    ordering: 'key',
    concurrency: 4,
    ...overrides,
  });
  const event = (n: number, key = 'k'): Event => ({ id: `e-${n}`, key, seq: n, note: '' });

  it('empty: completes with no result and sends nothing', async () => {
    const streamName = uniqueStreamName('ordering-empty');
    await localKinesis().createStream(streamName, 1);
    const results = await lastValueFrom(EMPTY.pipe(toKinesis<Event>(config(streamName)), toArray()));
    expect(results).to.deep.equal([]);
    expect(await localKinesis().readStream(streamName)).to.deep.equal([]);
  });

  it('never: emits nothing, and unsubscribing leaves nothing running', async () => {
    const streamName = uniqueStreamName('ordering-never');
    await localKinesis().createStream(streamName, 1);
    const seen: unknown[] = [];
    const subscription = NEVER.pipe(toKinesis<Event>(config(streamName))).subscribe({ next: (result) => seen.push(result), error: (error: unknown) => seen.push(error) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    expect(seen).to.deep.equal([]);
  });

  it('error: what entered is sent in key order and reported, then the error is passed on', async () => {
    const streamName = uniqueStreamName('ordering-error');
    await localKinesis().createStream(streamName, 1);
    const boom = new Error('source failed');
    const results: KinesisRecordResult<Event>[] = [];
    const error = await new Promise<unknown>((resolve) =>
      concat(from([event(0), event(1), event(2)]), throwError(() => boom))
        .pipe(toKinesis<Event>(config(streamName, { batch: { size: 1 } })))
        .subscribe({ next: (batch) => results.push(...batch.records), error: resolve, complete: () => resolve('completed') }),
    );
    expect(error).to.equal(boom);
    expect(results.map((result) => result.status)).to.deep.equal(['ok', 'ok', 'ok']);
    expect((await localKinesis().readStream(streamName)).flatMap((record) => eventsIn(record.data)).map((stored) => stored.seq)).to.deep.equal([0, 1, 2]);
  });

  it('early unsubscribe while records wait for their key: no more results, no more requests, nothing unhandled', async () => {
    const streamName = uniqueStreamName('ordering-unsubscribe');
    await localKinesis().createStream(streamName, 1);
    const proxy = await startFaultProxy(localKinesis().endpoint, { latencyMs: [30, 30] });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: unknown[] = [];
      const subscription = from(Array.from({ length: 200 }, (_, n) => event(n)))
        .pipe(toKinesis<Event>(config(streamName, { endpoint: proxy.endpoint, batch: { size: 10 } })))
        .subscribe({ next: (result) => seen.push(result), error: (error: unknown) => seen.push(error) });
      await new Promise((resolve) => setTimeout(resolve, 200));
      subscription.unsubscribe();
      const [results, requests] = [seen.length, proxy.stats.putRecordsRequests];
      expect(requests, 'one key: one record per round trip so far').to.be.within(1, 10);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.length).to.equal(results);
      expect(proxy.stats.putRecordsRequests).to.be.at.most(requests + 1); // at most the one in flight at the time
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await proxy.close();
    }
  });
});
