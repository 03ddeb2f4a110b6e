/**
 * The aggregation scenario: the same small events sent by `toKinesis` without and with KPL
 * aggregation, to the null endpoint (one shard, so every user record is predicted to it): Kinesis
 * records and request bytes it took, and user records per second.
 */
import { MAX_RECORDS_PER_REQUEST } from '../../lib/index.js';
import { AGGREGATION_VARIANTS } from '../contenders/aggregation.js';
import { RUN_OPTIONS } from '../harness/contender.js';
import { makeEvents, meanJsonBytes } from '../harness/events.js';
import { fixed, integer, left, medianOf, rateCells, right, table } from '../harness/format.js';
import { measure } from '../harness/measure.js';
import { roundRobin } from '../harness/roundRobin.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const COLUMNS = [
  ...left('variant'),
  ...right('Kinesis records', 'PutRecords requests', 'request bytes', 'user records/s (median)', 'min-max', 'CPU ms/1k rec'),
];

export const aggregation: Scenario = {
  name: 'aggregation',
  title: 'instant endpoint, ~100 B records, toKinesis without and with KPL aggregation',
  records: 100_000,
  quickRecords: 10_000,
  recordBytes: 110,
  delayMs: 0,
  usesPeers: false,
  run: runAggregation,
};

async function runAggregation({ n, reps, server }: ScenarioContext): Promise<[]> {
  const records = makeEvents(n, aggregation.recordBytes);
  const options = { ...RUN_OPTIONS, peerBatchSize: MAX_RECORDS_PER_REQUEST };
  console.log(`${integer(n)} records of ${integer(meanJsonBytes(records))} B (JSON), keyed by 1,000 users, ${reps} rep(s) after a warm-up round, round-robin`);
  const { samples } = await roundRobin(AGGREGATION_VARIANTS, { reps, warmUp: true, progress: aggregation.name, keepGoing: false }, (variant) =>
    measure(variant.run, n, records, server, options),
  );
  const rows = AGGREGATION_VARIANTS.map((variant): string[] => {
    const list = samples.get(variant)!;
    return [
      variant.label,
      integer(medianOf(list, ({ stats }) => stats.records)),
      integer(medianOf(list, ({ stats }) => stats.byOperation['PutRecords'] ?? 0)),
      `${fixed(medianOf(list, ({ stats }) => stats.bytes) / 2 ** 20, 2)} MiB`,
      ...rateCells(list.map((sample) => sample.recordsPerSecond)),
      fixed(medianOf(list, (sample) => sample.cpuMsPer1000), 1),
    ];
  });
  console.log(table(COLUMNS, rows));
  console.log('The null endpoint has one shard: with N shards, a batch makes about N aggregates (one per shard its records map to).');
  return [];
}
