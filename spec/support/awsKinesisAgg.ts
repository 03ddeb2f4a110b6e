/**
 * The independent KPL decoder the specs check against: `aws-kinesis-agg` (awslabs), driven
 * synchronously, with its MD5 check on.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** A user record as `aws-kinesis-agg` unpacks it. */
export interface AggUserRecord {
  readonly partitionKey: string;
  /** Note: the module gives the first table entry to a record without an explicit hash key index. */
  readonly explicitPartitionKey?: string;
  readonly subSequenceNumber?: number;
  readonly data: Buffer;
}

interface AggModule {
  deaggregateSync(
    record: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    callback: (error: Error | undefined, users?: { partitionKey: string; explicitPartitionKey?: string; subSequenceNumber?: number; data: string }[]) => void,
  ): void;
}

const agg = createRequire(import.meta.url)('aws-kinesis-agg') as AggModule;

/**
 * Unpacks one Kinesis record with `aws-kinesis-agg` (a plain record comes back as itself).
 *
 * @param data - The Kinesis record's data.
 * @param partitionKey - The Kinesis record's partition key.
 * @param sequenceNumber - Its sequence number.
 * @returns The user records; throws what the module reports.
 */
export function deaggregate(data: Uint8Array, partitionKey = 'k', sequenceNumber = '1'): AggUserRecord[] {
  let out: AggUserRecord[] | undefined;
  let failure: Error | undefined;
  agg.deaggregateSync({ data: Buffer.from(data).toString('base64'), partitionKey, sequenceNumber }, true, (error, users) => {
    if (error) failure = error;
    else out = (users ?? []).map((user) => ({ ...user, data: Buffer.from(user.data, 'base64') }));
  });
  if (failure !== undefined) throw failure;
  return out!;
}

/** A `Record` message as protobufjs takes it (snake_case fields of the KPL's proto). */
export interface ProtoRecord {
  partition_key_index: number;
  explicit_hash_key_index?: number;
  data: Uint8Array;
  tags?: { key: string; value?: string }[];
}

interface ProtobufType {
  encode(message: { partition_key_table: string[]; explicit_hash_key_table: string[]; records: ProtoRecord[] }): { finish(): Uint8Array };
}

const protobufAggregatedRecord = (createRequire(import.meta.url)('aws-kinesis-agg/lib/common.js') as { AggregatedRecord: ProtobufType }).AggregatedRecord;

/**
 * Encodes an aggregate with `aws-kinesis-agg`'s protobufjs model (an encoder independent of
 * `lib/kinesis/kpl.ts`, which can also write tags): magic, protobuf, MD5.
 *
 * @param message - The `AggregatedRecord` fields.
 * @returns The aggregate's bytes.
 */
export function protobufjsAggregate(message: { partition_key_table: string[]; explicit_hash_key_table: string[]; records: ProtoRecord[] }): Uint8Array {
  const proto = protobufAggregatedRecord.encode(message).finish();
  return Buffer.concat([Buffer.from('f3899ac2', 'hex'), proto, createHash('md5').update(proto).digest()]);
}
