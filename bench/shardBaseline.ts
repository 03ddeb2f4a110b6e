/**
 * Today's `toKinesis` against shards that throttle: the baseline for per-shard rate limiting. Each
 * scenario runs producers (`bench/harness/pacedProducer.ts`: default settings, `concurrency: 4`, a
 * source faster than the stream paced by backpressure) against the shard simulator
 * (`spec/support/shardSimulator.ts`, in a child process; 1,000 records/s and 1 MiB/s per shard)
 * for `--seconds`, then lets them drain:
 *
 * - `a`: one producer, 4 shards, random keys (a UUID per record);
 * - `b`: three producers (three subscriptions, each with its own client) sharing 4 shards;
 * - `c`: one producer, 4 shards, one key carrying 40% of the records, random keys for the rest;
 * - `d`: one producer, 4 shards, `SplitShard` of the first shard halfway (5 open shards after).
 *
 * Per scenario: goodput as a share of capacity (records accepted / the records the open shards
 * allow, shard by shard for the time each was open) and the share of records sent that were
 * throttled, both over the steady part of the run: from the end of the first 2 seconds (when the
 * full buckets of a new stream let a burst through) to the end of the source (the drain left
 * out); the time from entering `toKinesis` to the outcome, p50 and p99, and the records failed,
 * over every record. Run:
 *
 * node --no-warnings=NodeVersionSupportWarning --import tsx bench/shardBaseline.ts [--seconds 20] [--latency 20-40] [--scenario a,b,c,d]
 *
 * `--latency` is the simulator's delay per answer in milliseconds, a uniform range `min-max` or one
 * figure (default 20-40, like a nearby region).
 */
import { parseArgs } from 'node:util';
import { fixed, integer, left, right, table } from './harness/format.js';
import { runPacedProducer } from './harness/pacedProducer.js';
import type { ProducerOutcome } from './harness/pacedProducer.js';
import { startRemoteShardSimulator } from './harness/simulator.js';
import type { RemoteShardSimulator } from './harness/simulator.js';

/** One scenario of the baseline. */
interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly shards: number;
  readonly producers: number;
  /** The share of records with one hot key. */
  readonly hotKeyShare?: number;
  /** Split the first shard halfway through. */
  readonly splitHalfway?: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'a', title: 'one producer, 4 shards, random keys', shards: 4, producers: 1 },
  { name: 'b', title: 'three producers sharing 4 shards', shards: 4, producers: 3 },
  { name: 'c', title: 'one producer, 4 shards, a hot key with 40% of the records', shards: 4, producers: 1, hotKeyShare: 0.4 },
  { name: 'd', title: 'one producer, 4 shards, SplitShard halfway', shards: 4, producers: 1, splitHalfway: true },
];

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, latency: { type: 'string', default: '20-40' }, scenario: { type: 'string', default: 'a,b,c,d' } },
});
const SECONDS = Number(values.seconds);
const [minLatency, maxLatency = minLatency] = values.latency.split('-').map(Number);
const chosen = values.scenario.split(',');
/** Seconds at the start left out of goodput and throttling: the first second's burst of full buckets, and a margin. */
const WARM_UP_SECONDS = 2;
const WINDOW_SECONDS = SECONDS - WARM_UP_SECONDS;

/** The `q` quantile of sorted numbers. */
const quantile = (sorted: Float64Array, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * Runs one scenario on a fresh stream.
 *
 * @returns Its row of the table.
 */
async function run(simulator: RemoteShardSimulator, scenario: Scenario): Promise<string[]> {
  const streamName = `baseline-${scenario.name}`;
  await simulator.createStream(streamName, scenario.shards);
  await simulator.reset();
  const started = performance.now();
  const until = started + SECONDS * 1000;
  const split = scenario.splitHalfway
    ? setTimeout(() => void simulator.splitShard(streamName, 'shardId-000000000000'), (SECONDS * 1000) / 2)
    : undefined;
  const atDeadline = new Promise<Awaited<ReturnType<RemoteShardSimulator['stats']>>>((resolve) => setTimeout(() => resolve(simulator.stats(WINDOW_SECONDS * 1000)), until - performance.now()));
  const producers = Array.from({ length: scenario.producers }, () =>
    runPacedProducer({ streamName, endpoint: simulator.endpoint, until, ...(scenario.hotKeyShare === undefined ? {} : { hotKeyShare: scenario.hotKeyShare }) }),
  );
  const outcomes: ProducerOutcome[] = await Promise.all(producers);
  clearTimeout(split);
  const drainSeconds = (performance.now() - until) / 1000;
  const { streams, cpuMs: simulatorCpuMs } = await atDeadline;
  const window = streams[streamName]!;
  await simulator.deleteStream(streamName);

  const latencies = Float64Array.from(outcomes.flatMap((outcome) => outcome.latencies)).sort();
  const records = outcomes.reduce((sum, outcome) => sum + outcome.records, 0);
  const failed = new Map<string, number>();
  for (const outcome of outcomes) for (const [code, count] of outcome.failed) failed.set(code, (failed.get(code) ?? 0) + count);
  const sent = window.acceptedRecords + window.throttledRecords;
  return [
    scenario.name,
    scenario.title,
    `${fixed(100 * window.busy, 1)}%`,
    integer(window.acceptedRecords / WINDOW_SECONDS),
    `${fixed((100 * window.throttledRecords) / sent, 1)}%`,
    integer(quantile(latencies, 0.5)),
    integer(quantile(latencies, 0.99)),
    integer([...failed.values()].reduce((sum, count) => sum + count, 0)),
    integer(records),
    fixed(drainSeconds, 1),
    `${fixed((100 * simulatorCpuMs) / (SECONDS * 1000), 0)}%`,
  ];
}

const simulator = await startRemoteShardSimulator();
try {
  await simulator.configure({ latencyMs: minLatency === maxLatency ? minLatency! : [minLatency!, maxLatency!] });
  if (!(WINDOW_SECONDS > 0)) throw new Error(`--seconds must be more than ${WARM_UP_SECONDS}`);
  console.error(`shard baseline: ${SECONDS} s per scenario, answers after ${values.latency} ms, 1,000 records/s and 1 MiB/s per shard`);
  const rows: string[][] = [];
  for (const scenario of SCENARIOS.filter(({ name }) => chosen.includes(name))) {
    console.error(`scenario ${scenario.name}: ${scenario.title}`);
    rows.push(await run(simulator, scenario));
  }
  console.log(
    table(
      [...left('', 'scenario'), ...right('goodput', 'accepted/s', 'throttled', 'p50 ms', 'p99 ms', 'failed', 'records', 'drain s', 'sim CPU')],
      rows,
    ),
  );
  console.log(`\ngoodput: accepted / (records per second x open seconds, shard by shard); throttled: share of the records sent; both over seconds ${WARM_UP_SECONDS}-${SECONDS}.`);
  console.log('p50, p99: from entering toKinesis to the outcome; failed, records: every record, the drain included.');
  console.log("sim CPU: the simulator process's CPU time over the source's run (100% is one core).");
} finally {
  await simulator.close();
}
