/**
 * `toKinesis` without the shard limiter (`shardLimit: false`, the sending of before it) against
 * shards that throttle: the baseline for per-shard rate limiting; `--limited` runs the default
 * (the limiter on) instead. Each scenario (`a` to `d`, see `bench/harness/shardRuns.ts`) runs
 * producers (`bench/harness/pacedProducer.ts`: `concurrency: 4`, a source faster than the stream
 * paced by backpressure) against the shard simulator (`spec/support/shardSimulator.ts`, in a
 * child process; 1,000 records/s and 1 MiB/s per shard) for `--seconds`, then lets them drain.
 * The `shards` scenario of `npm run bench` compares the contenders side by side. Per scenario:
 * goodput, throttled share, p50/p99 from entry to outcome, failures. Run:
 *
 * node --no-warnings=NodeVersionSupportWarning --import tsx bench/shardBaseline.ts [--seconds 20] [--latency 20-40] [--scenario a,b,c,d] [--limited]
 *
 * `--latency` is the simulator's delay per answer in milliseconds, a uniform range `min-max` or one
 * figure (default 20-40, like a nearby region).
 */
import { parseArgs } from 'node:util';
import { fixed, integer, left, right, table } from './harness/format.js';
import { toKinesisProducer } from './harness/pacedProducer.js';
import { runShardSituation, SHARD_SITUATIONS, WARM_UP_SECONDS } from './harness/shardRuns.js';
import { startRemoteShardSimulator } from './harness/simulator.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    latency: { type: 'string', default: '20-40' },
    scenario: { type: 'string', default: 'a,b,c,d' },
    limited: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const [minLatency, maxLatency = minLatency] = values.latency.split('-').map(Number);
const chosen = values.scenario.split(',');
const producer = toKinesisProducer(values.limited ? {} : { shardLimit: false });

const simulator = await startRemoteShardSimulator();
try {
  await simulator.configure({ latencyMs: minLatency === maxLatency ? minLatency! : [minLatency!, maxLatency!] });
  if (!(SECONDS > WARM_UP_SECONDS)) throw new Error(`--seconds must be more than ${WARM_UP_SECONDS}`);
  console.error(`shard baseline (${values.limited ? 'shard limiter on' : 'shardLimit: false'}): ${SECONDS} s per scenario, answers after ${values.latency} ms, 1,000 records/s and 1 MiB/s per shard`);
  const rows: string[][] = [];
  for (const situation of SHARD_SITUATIONS.filter(({ name }) => chosen.includes(name))) {
    console.error(`scenario ${situation.name}: ${situation.title}`);
    const run = await runShardSituation(simulator, situation, producer, SECONDS, `baseline-${situation.name}`);
    rows.push([
      situation.name,
      situation.title,
      `${fixed(100 * run.goodput, 1)}%`,
      integer(run.acceptedPerSecond),
      `${fixed(100 * run.throttled, 1)}%`,
      integer(run.p50),
      integer(run.p99),
      integer(run.failed),
      integer(run.records),
      fixed(run.drainSeconds, 1),
      `${fixed(100 * run.simulatorLoad, 0)}%`,
    ]);
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
