/**
 * The aggregation scenarios of the benchmark:
 *
 * - `aggregation`: the same small events sent by `toKinesis` without and with KPL aggregation, to
 *   the null endpoint (one shard, so every user record is predicted to it): Kinesis records and
 *   request bytes it took, and user records per second.
 * - `kpl-encoder`: the hand-written KPL encoder and decoder of `lib/kpl.ts` against protobufjs 7
 *   (the library `aws-kinesis-agg` uses), in process, on the same user records, the same
 *   aggregate sizes, with the magic and the MD5 done the same way by both.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { decodeAggregate, encodeAggregate, KPL_MAGIC } from '../../lib/kinesis/kpl.js';
import type { UserRecord } from '../../lib/kinesis/kpl.js';
import { toKinesisContender } from '../contenders/sdkLoops.js';
import type { RunOptions } from '../contenders/sdkLoops.js';
import type { BenchEvent } from '../harness/events.js';
import { elapsed, fixed, gc, integer, median, rotate, table } from '../harness/format.js';
import type { NullKinesis } from '../harness/server.js';

/** One way of sending: aggregation on or off, and the batch size. */
interface Variant {
  readonly label: string;
  readonly aggregation: boolean;
  readonly batchSize: number;
}

const VARIANTS: readonly Variant[] = [
  { label: 'toKinesis c1, plain (batch 500)', aggregation: false, batchSize: 500 },
  { label: 'toKinesis c1, aggregation (batch 500)', aggregation: true, batchSize: 500 },
  { label: 'toKinesis c1, aggregation (batch 10,000)', aggregation: true, batchSize: 10_000 },
];

interface AggregationSample {
  readonly recordsPerSecond: number;
  readonly cpuMsPer1000: number;
  readonly requests: number;
  readonly kinesisRecords: number;
  readonly requestBytes: number;
}

/** Sends the first `n` events with one variant (which checks every user record was reported written). */
async function sendWith(variant: Variant, n: number, records: readonly BenchEvent[], server: NullKinesis, options: RunOptions): Promise<AggregationSample> {
  gc();
  await server.reset();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await toKinesisContender(1, variant.batchSize, variant.aggregation)(n, records, server.endpoint, options);
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = await server.stats();
  return {
    recordsPerSecond: n / (elapsedMs / 1000),
    cpuMsPer1000: (cpu.user + cpu.system) / 1000 / (n / 1000),
    requests: stats.byOperation['PutRecords'] ?? 0,
    kinesisRecords: stats.records,
    requestBytes: stats.bytes,
  };
}

/**
 * The `aggregation` scenario: plain and aggregated sending of the same events, round-robin.
 *
 * @param n - User records per run.
 * @param records - The events.
 * @param reps - Repetitions after a warm-up round.
 * @param server - The null endpoint.
 * @param options - Stream and credentials.
 */
export async function runAggregation(n: number, records: readonly BenchEvent[], reps: number, server: NullKinesis, options: RunOptions): Promise<void> {
  const samples = new Map<string, AggregationSample[]>(VARIANTS.map((variant) => [variant.label, []]));
  for (let round = 0; round <= reps; round++) {
    for (const variant of rotate(VARIANTS, round)) {
      const sample = await sendWith(variant, n, records, server, options);
      if (round > 0) samples.get(variant.label)!.push(sample);
    }
    console.error(`  [aggregation] ${round === 0 ? 'warm-up' : `rep ${round}/${reps}`} done (${elapsed()})`);
  }
  const rows = VARIANTS.map((variant): string[] => {
    const list = samples.get(variant.label)!;
    const rates = list.map((sample) => sample.recordsPerSecond);
    const of = (field: keyof AggregationSample): number => median(list.map((sample) => sample[field]));
    return [
      variant.label,
      integer(of('kinesisRecords')),
      integer(of('requests')),
      `${fixed(of('requestBytes') / 2 ** 20, 2)} MiB`,
      integer(median(rates)),
      `${integer(Math.min(...rates))}-${integer(Math.max(...rates))}`,
      fixed(of('cpuMsPer1000'), 1),
    ];
  });
  console.log(
    table(
      ['variant', 'Kinesis records', 'PutRecords requests', 'request bytes', 'user records/s (median)', 'min-max', 'CPU ms/1k rec'],
      rows,
      [false, true, true, true, true, true, true],
    ),
  );
  console.log('The null endpoint has one shard: with N shards, a batch makes about N aggregates (one per shard its records map to).');
}

// ---------------------------------------------------------------------------------------------
// Encoder micro-benchmark

/** The part of protobufjs 7 used here. */
interface ProtobufType {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): { partition_key_table: string[]; explicit_hash_key_table: string[]; records: { partition_key_index: number | { toNumber(): number }; explicit_hash_key_index?: number | { toNumber(): number }; data: Uint8Array }[] };
}

/** The KPL `AggregatedRecord` type built by protobufjs from the schema `aws-kinesis-agg` ships. */
function protobufjsType(): ProtobufType {
  const require = createRequire(import.meta.url);
  const protobuf = require('protobufjs') as { Root: { fromJSON(json: unknown): { lookupType(name: string): ProtobufType } } };
  return protobuf.Root.fromJSON(require('aws-kinesis-agg/lib/kpl.json')).lookupType('AggregatedRecord');
}

/** Encodes with protobufjs: key tables deduplicated, then magic + protobuf + MD5, as `encodeAggregate` does. */
function protobufjsEncode(type: ProtobufType, users: readonly UserRecord[]): Uint8Array {
  const partitionKeys = new Map<string, number>();
  const explicitHashKeys = new Map<string, number>();
  const indexOf = (table: Map<string, number>, key: string): number => {
    let index = table.get(key);
    if (index === undefined) table.set(key, (index = table.size));
    return index;
  };
  const records = users.map((user) =>
    user.explicitHashKey === undefined
      ? { partition_key_index: indexOf(partitionKeys, user.partitionKey), data: user.data }
      : { partition_key_index: indexOf(partitionKeys, user.partitionKey), explicit_hash_key_index: indexOf(explicitHashKeys, user.explicitHashKey), data: user.data },
  );
  const proto = type.encode({ partition_key_table: [...partitionKeys.keys()], explicit_hash_key_table: [...explicitHashKeys.keys()], records }).finish();
  return Buffer.concat([KPL_MAGIC, proto, createHash('md5').update(proto).digest()]);
}

/** Decodes with protobufjs: magic and MD5 checked, keys resolved, as `decodeAggregate` does. */
function protobufjsDecode(type: ProtobufType, aggregate: Uint8Array): UserRecord[] | undefined {
  if (!Buffer.from(aggregate.subarray(0, 4)).equals(KPL_MAGIC)) return undefined;
  const end = aggregate.byteLength - 16;
  const proto = aggregate.subarray(4, end);
  if (!createHash('md5').update(proto).digest().equals(aggregate.subarray(end))) return undefined;
  const message = type.decode(proto);
  const index = (value: number | { toNumber(): number }): number => (typeof value === 'number' ? value : value.toNumber());
  return message.records.map((record) => ({
    partitionKey: message.partition_key_table[index(record.partition_key_index)]!,
    ...(record.explicit_hash_key_index === undefined ? {} : { explicitHashKey: message.explicit_hash_key_table[index(record.explicit_hash_key_index)]! }),
    data: record.data,
  }));
}

/** User records per aggregate in the micro-benchmark: 1,000 records of ~100 B, ~100 KB aggregates. */
const RECORDS_PER_AGGREGATE = 1_000;

/** Passes over the records per sample, so that a sample lasts long enough for the JIT to settle. */
const PASSES = 5;

/**
 * The `kpl-encoder` micro-benchmark: `lib/kpl.ts` against protobufjs, encoding and decoding the
 * same aggregates, round-robin, user records per second.
 *
 * @param records - The events (their JSON is the user records' data, `user` their key).
 * @param reps - Repetitions after a warm-up round.
 */
export function runEncoder(records: readonly BenchEvent[], reps: number): void {
  const users: UserRecord[] = records.map((event) => ({ partitionKey: event.user, data: Buffer.from(JSON.stringify(event)) }));
  const chunks: UserRecord[][] = [];
  for (let at = 0; at < users.length; at += RECORDS_PER_AGGREGATE) chunks.push(users.slice(at, at + RECORDS_PER_AGGREGATE));
  const type = protobufjsType();
  const ours = chunks.map((chunk) => encodeAggregate(chunk));
  const theirs = chunks.map((chunk) => protobufjsEncode(type, chunk));
  // Same input, same bytes: both write fields in field-number order, tables first.
  if (!ours.every((bytes, i) => Buffer.from(bytes).equals(theirs[i]!))) throw new Error('lib/kpl.ts and protobufjs wrote different bytes');
  const aggregateBytes = median(ours.map((bytes) => bytes.byteLength));

  const contenders: readonly { readonly label: string; readonly run: () => void }[] = [
    { label: 'encode: lib/kpl.ts (hand-written)', run: () => chunks.forEach((chunk) => encodeAggregate(chunk)) },
    { label: 'encode: protobufjs 7', run: () => chunks.forEach((chunk) => protobufjsEncode(type, chunk)) },
    { label: 'decode: lib/kpl.ts (hand-written)', run: () => ours.forEach((bytes) => decodeAggregate(bytes)) },
    { label: 'decode: protobufjs 7 (+ MD5 check, keys resolved)', run: () => ours.forEach((bytes) => protobufjsDecode(type, bytes)) },
  ];
  const rates = new Map<string, number[]>(contenders.map((contender) => [contender.label, []]));
  for (let round = 0; round <= reps; round++) {
    for (const contender of rotate(contenders, round)) {
      gc();
      const startedAt = performance.now();
      for (let pass = 0; pass < PASSES; pass++) contender.run();
      const seconds = (performance.now() - startedAt) / 1000;
      if (round > 0) rates.get(contender.label)!.push((PASSES * users.length) / seconds);
    }
  }
  console.log(
    `${integer(users.length)} user records of ~${integer(users[0]!.data.byteLength)} B, ${integer(chunks.length)} aggregates of ${integer(RECORDS_PER_AGGREGATE)} records ` +
      `(~${integer(aggregateBytes)} B each, magic and MD5 included; both encoders write identical bytes), ${PASSES} passes per sample, ${reps} sample(s) after a warm-up round`,
  );
  const rows = contenders.map((contender) => {
    const list = rates.get(contender.label)!;
    return [contender.label, integer(median(list)), `${integer(Math.min(...list))}-${integer(Math.max(...list))}`, fixed((median(list) * aggregateBytes) / RECORDS_PER_AGGREGATE / 2 ** 20, 0)];
  });
  console.log(table(['codec', 'user records/s (median)', 'min-max', 'MiB/s'], rows, [false, true, true, true]));
  const of = (label: string): number => median(rates.get(label)!);
  console.log(
    `key ratios: encode lib/kpl.ts / protobufjs = ${fixed(of(contenders[0]!.label) / of(contenders[1]!.label), 2)}; ` +
      `decode lib/kpl.ts / protobufjs = ${fixed(of(contenders[2]!.label) / of(contenders[3]!.label), 2)}`,
  );
}
