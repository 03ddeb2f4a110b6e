/**
 * The contenders of the kpl-encoder scenario: the hand-written KPL encoder and decoder of
 * `lib/kinesis/kpl.ts` against protobufjs 7 (the library `aws-kinesis-agg` uses), in process, with
 * the magic and the MD5 done the same way by both.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { decodeAggregate, encodeAggregate, KPL_MAGIC } from '../../lib/kinesis/kpl.js';
import type { UserRecord } from '../../lib/kinesis/kpl.js';

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

/** One timed contender: a pass over every chunk or aggregate. */
export interface CodecContender {
  readonly label: string;
  readonly run: () => void;
}

/**
 * Encodes the chunks with both codecs, checks they wrote the same bytes, and makes the four
 * contenders, in the order of their rows (the key ratios divide the first by the second, the
 * third by the fourth).
 *
 * @param chunks - The user records, a chunk per aggregate.
 * @returns The aggregates (as this library encodes them), and the contenders: encode with each, then decode with each.
 */
export function kplCodecContenders(chunks: readonly (readonly UserRecord[])[]): { aggregates: Uint8Array[]; contenders: readonly CodecContender[] } {
  const type = protobufjsType();
  const ours = chunks.map((chunk) => encodeAggregate(chunk));
  const theirs = chunks.map((chunk) => protobufjsEncode(type, chunk));
  // Same input, same bytes: both write fields in field-number order, tables first.
  if (!ours.every((bytes, i) => Buffer.from(bytes).equals(theirs[i]!))) throw new Error('lib/kinesis/kpl.ts and protobufjs wrote different bytes');
  return {
    aggregates: ours,
    contenders: [
      { label: 'encode: lib/kinesis/kpl.ts (hand-written)', run: () => chunks.forEach((chunk) => encodeAggregate(chunk)) },
      { label: 'encode: protobufjs 7', run: () => chunks.forEach((chunk) => protobufjsEncode(type, chunk)) },
      { label: 'decode: lib/kinesis/kpl.ts (hand-written)', run: () => ours.forEach((bytes) => decodeAggregate(bytes)) },
      { label: 'decode: protobufjs 7 (+ MD5 check, keys resolved)', run: () => ours.forEach((bytes) => protobufjsDecode(type, bytes)) },
    ],
  };
}
