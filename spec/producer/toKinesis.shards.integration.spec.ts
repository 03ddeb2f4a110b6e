/**
 * toKinesis against shards that throttle: the in-process shard simulator
 * (`spec/support/shardSimulator.ts`) enforces a write limit per shard, here 200 records/s (the
 * service's 1,000 scaled down five times, to keep the CPU low on a loaded CI machine), and each
 * producer's `shardLimit` ceiling is set to the same 200 records/s, as the service's own limit is
 * the default ceiling. Each source is faster than the stream, paced only by backpressure
 * (`pauseWhenBusy` over a bounded backlog), for a few seconds; then it ends and everything drains.
 *
 * Checked per scenario: goodput (records accepted over what the open shards allow) and the share
 * of records sent that were throttled, over the steady part of the run (after the first 2 s, when
 * a new stream's full buckets and the open budgets let a burst through); then, reading back what
 * landed: every item exactly once in the stream, and its outcome exact (`ok`, on the shard and at
 * the sequence number where it is stored). The bounds leave margins under the bench's targets
 * (`bench/scenarios/shards.ts`), which run at the service's rates for longer.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { lastValueFrom, tap } from 'rxjs';
import { recordingLogger, silentLogger } from '../support/collect.js';
import { startShardSimulator } from '../support/shardSimulator.js';
import { denying } from '../support/stubs.js';
import type { ShardSimulator, StreamStats } from '../support/shardSimulator.js';
import { fromReadable, pauseWhenBusy, toKinesis } from '../../lib/index.js';
import type { KinesisRecordResult, Logger, ShardLimitState, ToKinesisConfig } from '../../lib/index.js';

/** The simulator's write limit per shard, and the producers' ceiling. */
const RECORDS_PER_SECOND = 200;
const SHARDS = 4;
const RUN_MS = 7_000;
const WARM_UP_MS = 2_000;
/** Pause the source at this many records waiting, resume at half. */
const HIGH_WATER = 1_000;

interface Event {
  readonly id: string;
  readonly key: string;
  readonly note: string;
}

/** What one producer saw. */
interface ProducerRun {
  readonly outcomes: KinesisRecordResult<Event>[];
  readonly throttledRecordAttempts: number;
  readonly snapshots: (readonly ShardLimitState[])[];
}

/** How one producer runs. */
interface ProducerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly until: number;
  /** The share of records with one hot key (the rest random). */
  readonly hotKeyShare?: number;
  readonly prefix: string;
  readonly logger?: Logger;
  readonly config?: Partial<ToKinesisConfig<Event>>;
}

/** One producer: a source faster than the stream until `until`, paced by backpressure; resolves once every outcome is in. */
async function produce(options: ProducerOptions): Promise<ProducerRun> {
  const { client, streamName, until, hotKeyShare = 0, prefix, logger = silentLogger, config = {} } = options;
  const source = Readable.from(
    (function* () {
      for (let n = 0; performance.now() < until; n++) yield { id: `${prefix}-${n}`, key: Math.random() < hotKeyShare ? 'hot-key' : randomUUID(), note: 'x'.repeat(40) };
    })(),
  );
  const run: ProducerRun & { throttledRecordAttempts: number } = { outcomes: [], throttledRecordAttempts: 0, snapshots: [] };
  await lastValueFrom(
    fromReadable<Event>(source).pipe(
      toKinesis<Event>({
        streamName,
        client,
        logger,
        partitionKey: 'key',
        concurrency: 4,
        batch: { duration: '50ms' },
        backlog: { maxRecords: HIGH_WATER, onChange: pauseWhenBusy(source, { high: HIGH_WATER, low: HIGH_WATER / 2 }) },
        shardLimit: { recordsPerSecond: RECORDS_PER_SECOND, bytesPerSecond: RECORDS_PER_SECOND * 1024, onSnapshot: (shards) => run.snapshots.push(shards), snapshotInterval: '500ms' },
        ...config,
      }),
      tap((batch) => {
        run.outcomes.push(...batch.records);
        run.throttledRecordAttempts += batch.throttledRecordAttempts;
      }),
    ),
    { defaultValue: undefined },
  );
  return run;
}

/** What a scenario measured. */
interface ScenarioRun {
  readonly producers: ProducerRun[];
  /** The simulator's figures over the steady part of the run. */
  readonly steady: StreamStats;
}

/** Runs `producers` producers on a fresh stream for {@link RUN_MS}, `during` acting on the simulator meanwhile; checks what landed. */
async function scenario(
  sim: ShardSimulator,
  name: string,
  options: { producers?: number; hotKeyShare?: number; during?: (streamName: string) => void; logger?: Logger; config?: Partial<ToKinesisConfig<Event>> } = {},
): Promise<ScenarioRun> {
  const streamName = `shards-${name}`;
  sim.createStream(streamName, SHARDS);
  sim.reset();
  const until = performance.now() + RUN_MS;
  const duringTimer = options.during && setTimeout(() => options.during!(streamName), RUN_MS / 2);
  let steady: StreamStats | undefined;
  const atDeadline = setTimeout(() => (steady = sim.stats(RUN_MS - WARM_UP_MS).streams[streamName]), RUN_MS);
  try {
    const producers = await Promise.all(
      Array.from({ length: options.producers ?? 1 }, (_, index) =>
        produce({
          client: sim.client(),
          streamName,
          until,
          prefix: `${name}${index}`,
          ...(options.hotKeyShare === undefined ? {} : { hotKeyShare: options.hotKeyShare }),
          ...(options.logger === undefined ? {} : { logger: options.logger }),
          ...(options.config === undefined ? {} : { config: options.config }),
        }),
      ),
    );
    expectExactOutcomes(sim, streamName, producers);
    const hottest = Math.max(...steady!.shards.map((shard) => shard.busy));
    const shares = producers.map((producer) => producer.outcomes.length);
    const total = shares.reduce((sum, count) => sum + count, 0);
    console.log(
      `    [shards] ${name}: goodput ${(100 * steady!.busy).toFixed(1)}%, throttled ${(100 * throttledShare(steady!)).toFixed(1)}%, busiest shard ${(100 * hottest).toFixed(0)}%, ` +
        `producers ${shares.map((count) => `${((100 * count) / total).toFixed(0)}%`).join('/')}, ${total} records`,
    );
    return { producers, steady: steady! };
  } finally {
    clearTimeout(duringTimer);
    clearTimeout(atDeadline);
  }
}

/** Every item once in the stream, and every outcome `ok` and exact (the shard and sequence number it is stored at). */
function expectExactOutcomes(sim: ShardSimulator, streamName: string, producers: readonly ProducerRun[]): void {
  const stored = new Map<string, { shardId: string; sequenceNumber: string; count: number }>();
  for (const records of Object.values(sim.records(streamName))) {
    for (const record of records) {
      const { id } = JSON.parse(Buffer.from(record.data).toString('utf8')) as Event;
      const seen = stored.get(id);
      stored.set(id, { shardId: record.shardId, sequenceNumber: record.sequenceNumber, count: (seen?.count ?? 0) + 1 });
    }
  }
  const outcomes = producers.flatMap((producer) => producer.outcomes);
  expect(new Set(outcomes.map((outcome) => outcome.item.id)).size, 'one outcome per item').to.equal(outcomes.length);
  expect(stored.size, 'items in the stream').to.equal(outcomes.length);
  for (const outcome of outcomes) {
    expect(outcome.status, `${outcome.item.id}: ${outcome.status === 'failed' ? outcome.errorCode : ''}`).to.equal('ok');
    const landed = stored.get(outcome.item.id)!;
    expect(landed.count, `copies of ${outcome.item.id}`).to.equal(1);
    if (outcome.status === 'ok') expect({ shardId: outcome.shardId, sequenceNumber: outcome.sequenceNumber }).to.deep.equal({ shardId: landed.shardId, sequenceNumber: landed.sequenceNumber });
  }
}

const throttledShare = (stats: StreamStats): number => stats.throttledRecords / Math.max(1, stats.acceptedRecords + stats.throttledRecords);

describe('toKinesis against shards that throttle (shard simulator, 200 records/s per shard)', function () {
  this.timeout(60_000);
  let sim: ShardSimulator;
  before(async () => {
    sim = await startShardSimulator({ recordsPerSecond: RECORDS_PER_SECOND, bytesPerSecond: RECORDS_PER_SECOND * 1024, latencyMs: [10, 20] });
  });
  after(() => sim.close());

  it('one producer, uniform keys: the shards kept busy with few throttles, every item once', async () => {
    const { steady, producers } = await scenario(sim, 'a');
    expect(steady.busy, 'goodput').to.be.at.least(0.9);
    expect(throttledShare(steady), 'throttled').to.be.at.most(0.05);
    const last = producers[0]!.snapshots.at(-1)!;
    expect(last.map((shard) => shard.shardId).sort()).to.deep.equal(sim.shards('shards-a').map((shard) => shard.ShardId).sort());
    expect(last.every((shard) => shard.engaged && shard.recordsPerSecond <= RECORDS_PER_SECOND)).to.equal(true);
    expect(producers[0]!.throttledRecordAttempts, 'throttled attempts reported').to.be.above(0); // the burst before the budgets engage
  });

  it('three producers sharing the shards converge on fair shares without a retry storm', async () => {
    const { steady, producers } = await scenario(sim, 'b', { producers: 3 });
    expect(steady.busy, 'goodput').to.be.at.least(0.85);
    expect(throttledShare(steady), 'throttled').to.be.at.most(0.12);
    const counts = producers.map((producer) => producer.outcomes.length);
    const total = counts.reduce((sum, count) => sum + count, 0);
    for (const count of counts) expect(count / total, 'a producer\'s share').to.be.at.least(0.2);
  });

  it('a hot key: its shard stays busy without throttling, and the other shards are not held back by it beyond the backlog', async () => {
    const { steady } = await scenario(sim, 'c', { hotKeyShare: 0.4 });
    const hot = [...steady.shards].sort((a, b) => b.acceptedRecords - a.acceptedRecords)[0]!;
    expect(hot.busy, 'the hot shard busy').to.be.at.least(0.85);
    expect(hot.throttledRecords / Math.max(1, hot.acceptedRecords + hot.throttledRecords), 'the hot shard throttled').to.be.at.most(0.05);
  });

  it('a SplitShard halfway: records follow the new shards, nothing fails', async () => {
    const { steady } = await scenario(sim, 'd', { during: (streamName) => sim.splitShard(streamName, 'shardId-000000000000') });
    expect(steady.busy, 'goodput').to.be.at.least(0.8);
    expect(sim.shards('shards-d').filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)).to.have.length(SHARDS + 1);
  });

  it('retries a whole request refused with KMSThrottlingException (HTTP 400): every item once, ok', async () => {
    const streamName = 'shards-kms';
    sim.createStream(streamName, 2);
    sim.configure({ kmsThrottleChance: 0.3, seed: 5 });
    try {
      const run = await produce({ client: sim.client(), streamName, until: performance.now() + 300, prefix: 'kms', config: { retry: { minDelay: '5ms', maxDelay: '20ms' } } });
      expect(sim.stats().kmsThrottles, 'requests refused').to.be.above(0);
      expectExactOutcomes(sim, streamName, [run]);
      expect(run.outcomes.some((outcome) => outcome.attempts > 1)).to.equal(true);
    } finally {
      sim.configure({ kmsThrottleChance: 0 });
    }
  });

  it('without kinesis:ListShards, sends without budgets and says so once', async () => {
    const logger = recordingLogger();
    const streamName = 'shards-denied';
    sim.createStream(streamName, 1);
    const client = denying(sim.client(), ListShardsCommand, 'kinesis:ListShards');
    const run = await produce({ client, streamName, until: performance.now() + 300, prefix: 'denied', logger });
    expectExactOutcomes(sim, streamName, [run]);
    const warnings = logger.lines.filter((line) => line.level === 'warn' && line.message.includes('cannot list the shards'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.message).to.include('sending without per-shard budgets');
    expect(run.snapshots.every((shards) => shards.length === 0)).to.equal(true);
  });
});
