/**
 * Runs against shards that throttle, shared by the shard baseline (`bench/shardBaseline.ts`) and
 * the `shards` scenario (`bench/scenarios/shards.ts`): the four situations, and one run of one
 * contender in one of them against the shard simulator in its child process
 * (`bench/harness/simulator.ts`; 1,000 records/s and 1 MiB/s per shard).
 *
 * - `a`: one producer, 4 shards, random keys (a UUID per record);
 * - `b`: three producers (three subscriptions, each with its own client) sharing 4 shards;
 * - `c`: one producer, 4 shards, one key carrying 40% of the records, random keys for the rest;
 * - `d`: one producer, 4 shards, `SplitShard` of the first shard halfway (5 open shards after).
 *
 * Goodput (records accepted / what the open shards allow, shard by shard for the time each was
 * open) and the share of records sent that were throttled are counted by the simulator over the
 * steady part of the run: from the end of the first {@link WARM_UP_SECONDS} (a new stream's full
 * buckets let a burst through) to the end of the source, the drain left out. Latencies (entry to
 * outcome) and failures are over every record, the drain included.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readStream } from '../../examples/support/localKinesis.js';
import { checkKeyOrder, eventsIn } from '../../spec/support/keyOrderCheck.js';
import type { KeyedEvent, KeyOrderReport } from '../../spec/support/keyOrderCheck.js';
import type { ShardStats } from '../../spec/support/shardSimulator.js';
import { SIMULATOR_CLIENT } from './pacedProducer.js';
import type { ProducerOutcome, ShardProducer } from './pacedProducer.js';
import { startRemoteShardSimulator } from './simulator.js';
import type { RemoteShardSimulator } from './simulator.js';
import type { ShardTargetSpec, Target } from './targets.js';

/** One situation. */
export interface ShardSituation {
  readonly name: string;
  readonly title: string;
  readonly shards: number;
  readonly producers: number;
  /** The share of records with one hot key. */
  readonly hotKeyShare?: number;
  /** Split the first shard halfway through. */
  readonly splitHalfway?: boolean;
  /** The other records' keys are drawn from this many. Default: a random UUID per record. */
  readonly keys?: number;
  /** Read the stream back before it is deleted, and count the records out of their key's order. */
  readonly checkKeyOrder?: boolean;
}

export const SHARD_SITUATIONS: readonly ShardSituation[] = [
  { name: 'a', title: 'one producer, 4 shards, random keys', shards: 4, producers: 1 },
  { name: 'b', title: 'three producers sharing 4 shards', shards: 4, producers: 3 },
  { name: 'c', title: 'one producer, 4 shards, a hot key with 40% of the records', shards: 4, producers: 1, hotKeyShare: 0.4 },
  { name: 'd', title: 'one producer, 4 shards, SplitShard halfway', shards: 4, producers: 1, splitHalfway: true },
];

/** Seconds at the start left out of goodput and throttling: the first second's burst of full buckets, and a margin. */
export const WARM_UP_SECONDS = 2;

/** What one run measured. */
export interface ShardRun {
  /** Accepted / capacity over the steady window. */
  readonly goodput: number;
  readonly acceptedPerSecond: number;
  /** Throttled / sent over the steady window. */
  readonly throttled: number;
  /** The shard that accepted the most over the window: how busy it was, and its throttled share. */
  readonly busiest: { readonly busy: number; readonly throttled: number };
  readonly p50: number;
  readonly p99: number;
  /** Records that failed, over every record. */
  readonly failed: number;
  readonly records: number;
  /** Each producer's share of the records. */
  readonly shares: readonly number[];
  /** Events with no outcome or more than one, summed over the producers. */
  readonly miscounted: number;
  /** Records accepted by the simulator over the whole run minus the `ok` outcomes: 0 when nothing was lost or doubled. */
  readonly unaccounted: number;
  readonly drainSeconds: number;
  /** The simulator's CPU over the source's run, 1 = one core. */
  readonly simulatorLoad: number;
  /** With `checkKeyOrder`: the stream read back as a consumer reads it, and the hot key's user records written per second (source and drain). */
  readonly keyOrder?: KeyOrderReport & { readonly hotKeyPerSecond: number };
}

/** The `q` quantile of sorted numbers. */
const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const throttledShare = (stats: { acceptedRecords: number; throttledRecords: number }): number =>
  stats.throttledRecords / Math.max(1, stats.acceptedRecords + stats.throttledRecords);

/**
 * Runs one situation on a fresh stream with one contender.
 *
 * @param simulator - The shard simulator.
 * @param situation - What to run.
 * @param producer - The contender.
 * @param seconds - How long the source runs (more than {@link WARM_UP_SECONDS}).
 * @param streamName - A name no other run uses.
 * @returns What it measured.
 */
export async function runShardSituation(simulator: RemoteShardSimulator, situation: ShardSituation, producer: ShardProducer, seconds: number, streamName: string): Promise<ShardRun> {
  const windowSeconds = seconds - WARM_UP_SECONDS;
  await simulator.createStream(streamName, situation.shards);
  await simulator.reset();
  const until = performance.now() + seconds * 1000;
  const split = situation.splitHalfway ? setTimeout(() => void simulator.splitShard(streamName, 'shardId-000000000000'), (seconds * 1000) / 2) : undefined;
  const atDeadline = new Promise<Awaited<ReturnType<RemoteShardSimulator['stats']>>>((resolve) =>
    setTimeout(() => resolve(simulator.stats(windowSeconds * 1000)), until - performance.now()),
  );
  const outcomes: ProducerOutcome[] = await Promise.all(
    Array.from({ length: situation.producers }, () =>
      producer({
        streamName,
        endpoint: simulator.endpoint,
        until,
        ...(situation.hotKeyShare === undefined ? {} : { hotKeyShare: situation.hotKeyShare }),
        ...(situation.keys === undefined ? {} : { keys: situation.keys }),
      }),
    ),
  );
  clearTimeout(split);
  const drainSeconds = (performance.now() - until) / 1000;
  const { streams, cpuMs } = await atDeadline;
  const window = streams[streamName]!;
  const whole = (await simulator.stats()).streams[streamName]!;
  const keyOrder = situation.checkKeyOrder ? await readKeyOrder(simulator, streamName, seconds + drainSeconds) : undefined;
  await simulator.deleteStream(streamName);

  const latencies = Float64Array.from(outcomes.flatMap((outcome) => outcome.latencies)).sort();
  const records = outcomes.reduce((sum, outcome) => sum + outcome.records, 0);
  let failed = 0;
  for (const outcome of outcomes) for (const count of outcome.failed.values()) failed += count;
  const busiest = window.shards.reduce<ShardStats | undefined>((top, shard) => (top === undefined || shard.acceptedRecords > top.acceptedRecords ? shard : top), undefined)!;
  return {
    goodput: window.busy,
    acceptedPerSecond: window.acceptedRecords / windowSeconds,
    throttled: throttledShare(window),
    busiest: { busy: busiest.busy, throttled: throttledShare(busiest) },
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    failed,
    records,
    shares: outcomes.map((outcome) => outcome.records / Math.max(1, records)),
    miscounted: outcomes.reduce((sum, outcome) => sum + outcome.miscounted, 0),
    unaccounted: whole.acceptedRecords - (records - failed),
    drainSeconds,
    simulatorLoad: cpuMs / (seconds * 1000),
    ...(keyOrder === undefined ? {} : { keyOrder }),
  };
}

/**
 * A measure of a run, by the `metric` names of `targets.json`.
 *
 * @param name - The metric.
 * @param run - The run measured.
 * @param staticRun - The static 150% limiter's run of the same situation, for the comparisons.
 * @returns The figure; `undefined` when the run it compares with did not run.
 */
export function shardMetric(name: string, run: ShardRun, staticRun?: ShardRun): number | undefined {
  switch (name) {
    case 'goodput':
      return run.goodput;
    case 'throttled':
      return run.throttled;
    case 'smallestShare':
      return Math.min(...run.shares);
    case 'busiestBusy':
      return run.busiest.busy;
    case 'busiestThrottled':
      return run.busiest.throttled;
    case 'failed':
      return run.failed;
    case 'miscounted':
      return run.miscounted;
    case 'unaccounted':
      return Math.abs(run.unaccounted);
    case 'throttledVsStatic':
      return staticRun === undefined ? undefined : run.throttled / Math.max(1e-9, staticRun.throttled);
    case 'goodputVsStatic':
      return staticRun === undefined ? undefined : run.goodput - staticRun.goodput;
    case 'outOfOrder':
      return run.keyOrder?.outOfOrder;
    case 'hotKeyPerSecond':
      return run.keyOrder?.hotKeyPerSecond;
    default:
      throw new Error(`bench/targets.json: no metric ${name}`);
  }
}

/** Reads a stream back as a consumer does (`GetRecords`, shards in `ListShards` order: parents first; aggregates unpacked) and checks each key's order. */
async function readKeyOrder(simulator: RemoteShardSimulator, streamName: string, seconds: number): Promise<KeyOrderReport & { hotKeyPerSecond: number }> {
  const client = new KinesisClient({ ...SIMULATOR_CLIENT, credentials: { ...SIMULATOR_CLIENT.credentials }, endpoint: simulator.endpoint, requestHandler: new NodeHttpHandler() });
  let events: KeyedEvent[];
  try {
    events = (await readStream(client, streamName)).flatMap((record) => eventsIn(record.data));
  } finally {
    client.destroy();
  }
  let hot = 0;
  const counted = new Set<string | number>();
  for (const event of events) if (event.key === 'hot-key' && !counted.has(event.id)) (counted.add(event.id), hot++);
  return { ...checkKeyOrder(events), hotKeyPerSecond: hot / seconds };
}

/** A contender of a scenario against the shard simulator. */
export interface ShardContender {
  readonly slug: string;
  readonly label: string;
  readonly run: ShardProducer;
}

/** The runs of one situation: each contender's, in the order they ran. */
export type SituationRuns = Map<string, { readonly contender: ShardContender; readonly run: ShardRun }>;

/**
 * Runs every situation with each of its contenders, one after the other, against one shard
 * simulator (started here, answering after `latencyMs`), each on a fresh stream.
 *
 * @param situations - What to run.
 * @param contendersOf - The contenders of a situation.
 * @param seconds - How long each source runs.
 * @param latencyMs - The simulator's delay per answer, a uniform draw in this range.
 * @param prefix - Of the stream names and the progress lines.
 * @returns The runs of each situation, in order.
 */
export async function runSituations(
  situations: readonly ShardSituation[],
  contendersOf: (situation: ShardSituation) => readonly ShardContender[],
  seconds: number,
  latencyMs: readonly [number, number],
  prefix: string,
): Promise<Map<ShardSituation, SituationRuns>> {
  const simulator = await startRemoteShardSimulator();
  const all = new Map<ShardSituation, SituationRuns>();
  try {
    await simulator.configure({ latencyMs });
    for (const situation of situations) {
      const runs: SituationRuns = new Map();
      for (const contender of contendersOf(situation)) {
        console.error(`${prefix} ${situation.name}: ${contender.label}`);
        runs.set(contender.slug, { contender, run: await runShardSituation(simulator, situation, contender.run, seconds, `${prefix}-${situation.name}-${contender.slug}`) });
      }
      all.set(situation, runs);
    }
  } finally {
    await simulator.close();
  }
  return all;
}

/**
 * Checks the targets of one situation.
 *
 * @param specs - The targets of `targets.json` (those of other situations are left out).
 * @param situation - The situation.
 * @param runs - Its runs.
 * @param checkedSlug - The contender a target is checked on.
 * @param scenario - How the target lines name the scenario.
 * @returns One target per spec whose contender ran.
 */
export function situationTargets<S extends ShardTargetSpec>(specs: readonly S[], situation: ShardSituation, runs: SituationRuns, checkedSlug: (spec: S) => string, scenario: (spec: S) => string): Target[] {
  const targets: Target[] = [];
  for (const spec of specs.filter((target) => target.situation === situation.name || target.situation === '*')) {
    const checked = runs.get(checkedSlug(spec))?.run;
    if (checked === undefined) continue;
    targets.push({
      scenario: scenario(spec),
      label: spec.label,
      value: shardMetric(spec.metric, checked, runs.get('kpl-static-150')?.run),
      target: spec.target,
      ...(spec.atMost === undefined ? {} : { atMost: spec.atMost }),
    });
  }
  return targets;
}

/**
 * The contenders that `--contender` names among `contenders`; all of them when it names none.
 *
 * @param contenders - The scenario's contenders.
 * @param only - The slugs of `--contender`, if given.
 * @returns The contenders to run.
 */
export function chosenContenders<C extends ShardContender>(contenders: readonly C[], only: readonly string[] | undefined): C[] {
  const named = only?.some((slug) => contenders.some((contender) => contender.slug === slug)) ?? false;
  return contenders.filter((contender) => !named || only!.includes(contender.slug));
}
