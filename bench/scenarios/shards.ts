/**
 * The `shards` scenario: producers against shards that throttle (the shard simulator in a child
 * process, 1,000 records/s and 1 MiB/s per shard, answers after 20-40 ms), in the four situations
 * of `bench/harness/shardRuns.ts`, each contender once per situation, side by side:
 *
 * - `toKinesis` with its defaults (the shard limiter on), `concurrency: 4`;
 * - `toKinesis` with `shardLimit: false` (the sending of before the limiter), `concurrency: 4`;
 * - the KPL's static per-shard limiter at 150% of the shard limit (`contenders/shardProducers.ts`);
 * - the raw SDK v3 loop with `retryMode: 'adaptive'`, resending failed records (same module).
 *
 * Every producer is fed by a source faster than the stream, paced by backpressure (at most 4,000
 * records waiting). The table gives goodput and throttled share (steady window), p50/p99 from
 * entry to outcome and failures (every record); then the `shards` targets of `targets.json`,
 * checked on the default `toKinesis`. The record counts of the scenario are seconds per run.
 */
import { adaptiveSdkLoop, kplStaticLimiter } from '../contenders/shardProducers.js';
import { fixed, integer, left, percent, right, table } from '../harness/format.js';
import { toKinesisProducer } from '../harness/pacedProducer.js';
import { chosenContenders, runSituations, SHARD_SITUATIONS, situationTargets, WARM_UP_SECONDS } from '../harness/shardRuns.js';
import type { ShardContender } from '../harness/shardRuns.js';
import { SHARD_TARGETS } from '../harness/targets.js';
import type { Target } from '../harness/targets.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const CONTENDERS: readonly ShardContender[] = [
  { slug: 'tokinesis', label: 'toKinesis (default: shard limiter on)', run: toKinesisProducer() },
  { slug: 'tokinesis-nolimit', label: 'toKinesis, shardLimit: false', run: toKinesisProducer({ shardLimit: false }) },
  { slug: 'kpl-static-150', label: 'KPL-style static limiter, 150%', run: kplStaticLimiter },
  { slug: 'sdk-adaptive', label: "raw SDK loop, retryMode 'adaptive'", run: adaptiveSdkLoop },
];

/** The simulator's delay per answer: a nearby region. */
const LATENCY_MS: [number, number] = [20, 40];

const COLUMNS = [...left('', 'contender'), ...right('goodput', 'throttled', 'busiest shard', 'its throttled', 'p50 ms', 'p99 ms', 'failed', 'records', 'producer shares', 'drain s', 'sim CPU')];

export const shards: Scenario = {
  name: 'shards',
  title: 'against shards that throttle: toKinesis with and without its shard limiter, a KPL-style static limiter, the adaptive SDK loop',
  records: 12,
  quickRecords: 4,
  recordBytes: 120,
  delayMs: 0,
  usesPeers: false,
  run: runShards,
};

async function runShards({ n: seconds, only }: ScenarioContext): Promise<Target[]> {
  const contenders = chosenContenders(CONTENDERS, only);
  console.log(
    `${seconds} s of source per run (steady window: seconds ${WARM_UP_SECONDS}-${seconds}), answers after ${LATENCY_MS.join('-')} ms, ` +
      '1,000 records/s and 1 MiB/s per shard; each contender once per situation, one after the other; records of ~120 B',
  );
  const targets: Target[] = [];
  const rows: string[][] = [];
  for (const [situation, runs] of await runSituations(SHARD_SITUATIONS, () => contenders, seconds, LATENCY_MS, 'shards')) {
    for (const { contender, run } of runs.values()) {
      rows.push([
        contender === contenders[0] ? `${situation.name}: ${situation.title}` : '',
        contender.label,
        percent(run.goodput),
        percent(run.throttled),
        percent(run.busiest.busy),
        percent(run.busiest.throttled),
        integer(run.p50),
        integer(run.p99),
        integer(run.failed),
        integer(run.records),
        run.shares.map((share) => `${fixed(100 * share, 0)}%`).join('/'),
        fixed(run.drainSeconds, 1),
        `${fixed(100 * run.simulatorLoad, 0)}%`,
      ]);
    }
    targets.push(...situationTargets(SHARD_TARGETS, situation, runs, () => 'tokinesis', () => `shards ${situation.name}`));
  }
  console.log(table(COLUMNS, rows));
  console.log(`goodput: accepted / (records per second x open seconds, shard by shard); throttled: share of the records sent; both over seconds ${WARM_UP_SECONDS}-${seconds}.`);
  console.log('busiest shard: the shard that accepted the most (in c, the hot key\'s), how busy and how throttled; p50, p99: entry to outcome; failed, records: every record, the drain included.');
  return targets;
}
