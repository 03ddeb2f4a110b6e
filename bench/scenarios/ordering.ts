/**
 * The `ordering` scenario: `toKinesis` with `ordering: 'none'` and `'key'` against 2 shards that
 * throttle (the shard simulator in a child process, 1,000 records/s and 1 MiB/s per shard, answers
 * after 20-40 ms), each fed by a source faster than the stream, paced by backpressure, with the
 * shard limiter on (the default) and `concurrency: 4`. Three key mixes:
 *
 * - `u`: uniform keys, 10,000 of them;
 * - `k`: 200 keys;
 * - `h`: one hot key with 40% of the records (the rest over 10,000 keys), with and without
 *   aggregation.
 *
 * After each run the stream is read back as a consumer reads it (`GetRecords`, shards in
 * `ListShards` order, aggregates unpacked) and the records that landed after a later record of
 * their key are counted. Columns: goodput (Kinesis records accepted over capacity, steady
 * window), user records per second, throttled share, records out of key order, duplicates,
 * p50/p99 from entry to outcome, failures; in `h`, the hot key's user records per second. Then
 * the `ordering` targets of `targets.json`.
 */
import { integer, left, percent, right, table } from '../harness/format.js';
import { toKinesisProducer } from '../harness/pacedProducer.js';
import { chosenContenders, runSituations, situationTargets, WARM_UP_SECONDS } from '../harness/shardRuns.js';
import type { ShardContender, ShardSituation } from '../harness/shardRuns.js';
import { ORDERING_TARGETS } from '../harness/targets.js';
import type { Target } from '../harness/targets.js';
import type { Scenario, ScenarioContext } from './scenario.js';

interface OrderingContender extends ShardContender {
  /** Runs only in the hot-key situation. */
  readonly hotKeyOnly?: boolean;
}

const CONTENDERS: readonly OrderingContender[] = [
  { slug: 'none', label: "ordering: 'none' (default)", run: toKinesisProducer() },
  { slug: 'key', label: "ordering: 'key'", run: toKinesisProducer({ ordering: 'key' }) },
  { slug: 'none-aggregated', label: "ordering: 'none', aggregation", run: toKinesisProducer({ aggregation: true }), hotKeyOnly: true },
  { slug: 'key-aggregated', label: "ordering: 'key', aggregation", run: toKinesisProducer({ ordering: 'key', aggregation: true }), hotKeyOnly: true },
];

const SITUATIONS: readonly ShardSituation[] = [
  { name: 'u', title: 'uniform keys (10,000)', shards: 2, producers: 1, keys: 10_000, checkKeyOrder: true },
  { name: 'k', title: '200 keys', shards: 2, producers: 1, keys: 200, checkKeyOrder: true },
  { name: 'h', title: 'a hot key with 40% of the records', shards: 2, producers: 1, keys: 10_000, hotKeyShare: 0.4, checkKeyOrder: true },
];

/** The simulator's delay per answer: a nearby region. */
const LATENCY_MS: [number, number] = [20, 40];

const COLUMNS = [...left('', 'contender'), ...right('goodput', 'user rec/s', 'throttled', 'out of key order', 'duplicates', 'p50 ms', 'p99 ms', 'failed', 'records', 'hot key rec/s')];

export const ordering: Scenario = {
  name: 'ordering',
  title: "per-key ordering: toKinesis with ordering 'none' and 'key', 2 shards that throttle",
  records: 12,
  quickRecords: 4,
  recordBytes: 120,
  delayMs: 0,
  usesPeers: false,
  run: runOrdering,
};

async function runOrdering({ n: seconds, only }: ScenarioContext): Promise<Target[]> {
  const contenders = chosenContenders(CONTENDERS, only);
  const contendersOf = (situation: ShardSituation): OrderingContender[] => contenders.filter((contender) => !contender.hotKeyOnly || situation.hotKeyShare !== undefined);
  console.log(
    `${seconds} s of source per run (steady window: seconds ${WARM_UP_SECONDS}-${seconds}), answers after ${LATENCY_MS.join('-')} ms, ` +
      '1,000 records/s and 1 MiB/s per shard, 2 shards; toKinesis with its defaults (shard limiter on), concurrency 4; records of ~120 B',
  );
  const targets: Target[] = [];
  const rows: string[][] = [];
  for (const [situation, runs] of await runSituations(SITUATIONS, contendersOf, seconds, LATENCY_MS, 'ordering')) {
    for (const { contender, run } of runs.values()) {
      const order = run.keyOrder!;
      rows.push([
        contender === contendersOf(situation)[0] ? `${situation.name}: ${situation.title}` : '',
        contender.label,
        percent(run.goodput),
        integer(order.distinct / seconds),
        percent(run.throttled),
        integer(order.outOfOrder),
        integer(order.duplicates),
        integer(run.p50),
        integer(run.p99),
        integer(run.failed),
        integer(run.records),
        situation.hotKeyShare === undefined ? '' : integer(order.hotKeyPerSecond),
      ]);
    }
    targets.push(...situationTargets(ORDERING_TARGETS, situation, runs, (spec) => spec.contender, (spec) => `ordering ${situation.name} ${spec.contender}`));
  }
  console.log(table(COLUMNS, rows));
  console.log(
    `goodput: Kinesis records accepted / (records per second x open seconds), over seconds ${WARM_UP_SECONDS}-${seconds} (with aggregation a Kinesis record carries many user records: see user rec/s); ` +
      'user rec/s: distinct user records in the stream / seconds of source; hot key rec/s: its user records in the stream / seconds of source and drain.',
  );
  console.log('out of key order: first copies that landed after a later record of their key, the stream read back as a consumer reads it; p50, p99: entry to outcome.');
  return targets;
}
