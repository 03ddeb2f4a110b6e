/**
 * The kpl-encoder scenario: KPL aggregate encoding and decoding in process, this library's codec
 * against protobufjs 7 on the same user records and the same aggregate sizes (see
 * `contenders/kplCodecs.ts`), user records per second.
 */
import type { UserRecord } from '../../lib/kinesis/kpl.js';
import { kplCodecContenders } from '../contenders/kplCodecs.js';
import { makeEvents } from '../harness/events.js';
import { fixed, integer, left, median, rateCells, right, table } from '../harness/format.js';
import { gc } from '../harness/measure.js';
import { roundRobin } from '../harness/roundRobin.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/** User records per aggregate: 1,000 records of ~100 B, ~100 KB aggregates. */
const RECORDS_PER_AGGREGATE = 1_000;

/** Passes over the records per sample, so that a sample lasts long enough for the JIT to settle. */
const PASSES = 5;

const COLUMNS = [...left('codec'), ...right('user records/s (median)', 'min-max', 'MiB/s')];

export const kplEncoder: Scenario = {
  name: 'kpl-encoder',
  title: 'KPL aggregate encoding and decoding in process: lib/kinesis/kpl.ts against protobufjs 7',
  records: 100_000,
  quickRecords: 10_000,
  recordBytes: 110,
  delayMs: 0,
  usesPeers: false,
  run: runEncoder,
};

async function runEncoder({ n, reps }: ScenarioContext): Promise<[]> {
  const users: UserRecord[] = makeEvents(n, kplEncoder.recordBytes).map((event) => ({ partitionKey: event.user, data: Buffer.from(JSON.stringify(event)) }));
  const chunks: UserRecord[][] = [];
  for (let at = 0; at < users.length; at += RECORDS_PER_AGGREGATE) chunks.push(users.slice(at, at + RECORDS_PER_AGGREGATE));
  const { aggregates, contenders } = kplCodecContenders(chunks);
  const aggregateBytes = median(aggregates.map((bytes) => bytes.byteLength));

  const { samples } = await roundRobin(contenders, { reps, warmUp: true, keepGoing: false }, (contender) => {
    gc();
    const startedAt = performance.now();
    for (let pass = 0; pass < PASSES; pass++) contender.run();
    return (PASSES * users.length) / ((performance.now() - startedAt) / 1000);
  });
  console.log(
    `${integer(users.length)} user records of ~${integer(users[0]!.data.byteLength)} B, ${integer(chunks.length)} aggregates of ${integer(RECORDS_PER_AGGREGATE)} records ` +
      `(~${integer(aggregateBytes)} B each, magic and MD5 included; both encoders write identical bytes), ${PASSES} passes per sample, ${reps} sample(s) after a warm-up round`,
  );
  const rows = contenders.map((contender) => {
    const rates = samples.get(contender)!;
    return [contender.label, ...rateCells(rates), fixed((median(rates) * aggregateBytes) / RECORDS_PER_AGGREGATE / 2 ** 20, 0)];
  });
  console.log(table(COLUMNS, rows));
  const of = (index: number): number => median(samples.get(contenders[index]!)!);
  console.log(`key ratios: encode lib/kinesis/kpl.ts / protobufjs = ${fixed(of(0) / of(1), 2)}; decode lib/kinesis/kpl.ts / protobufjs = ${fixed(of(2) / of(3), 2)}`);
  return [];
}
