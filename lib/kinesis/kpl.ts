/**
 * The KPL aggregation format: many user records packed into one Kinesis record, as the Kinesis
 * Producer Library writes it and the KCL, Lambda's deaggregation modules and `aws-kinesis-agg`
 * unpack it.
 *
 * An aggregate is the magic `F3 89 9A C2`, then a protobuf (proto2) `AggregatedRecord`, then the
 * 16-byte MD5 of the protobuf bytes:
 *
 * ```proto
 * message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 * message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }
 * message Tag { required string key = 1; optional string value = 2; }
 * ```
 *
 * The encoder here is hand-written (a few varints and length-prefixed fields: no generated code,
 * no dependency) and never writes tags; the decoder skips tags and any unknown field by its wire
 * type. {@link AggregateBuilder} packs records one at a time and knows the exact size the aggregate
 * would have with one more record, without encoding anything.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * The four bytes every KPL aggregate starts with: `F3 89 9A C2`.
 *
 * @example
 * ```ts
 * const isAggregate = (data: Uint8Array) => KPL_MAGIC.every((byte, index) => data[index] === byte);
 * ```
 * @category KPL
 */
export const KPL_MAGIC: Uint8Array = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);

/** Bytes of the MD5 checksum that ends an aggregate. */
const MD5_BYTES = 16;

/**
 * Bytes an aggregate takes besides its protobuf: the magic and the MD5.
 *
 * @example
 * ```ts
 * const protobufBytes = aggregate.byteLength - KPL_OVERHEAD_BYTES;
 * ```
 * @category KPL
 */
export const KPL_OVERHEAD_BYTES = KPL_MAGIC.byteLength + MD5_BYTES;

/**
 * One user record inside an aggregate: its keys and its bytes.
 *
 * @example
 * ```ts
 * const record: UserRecord = { partitionKey: 'customer-42', data: new TextEncoder().encode('{"order":1}') };
 * const aggregate = encodeAggregate([record]);
 * ```
 * @category KPL
 */
export interface UserRecord {
  /** The user record's partition key. */
  readonly partitionKey: string;
  /** The user record's explicit hash key (a decimal 128-bit integer), if it has one. */
  readonly explicitHashKey?: string | undefined;
  /** The user record's data (or, with `dataStart` and `dataBytes`, the buffer that holds it). */
  readonly data: Uint8Array;
  /** Where the data starts in `data`; default 0. */
  readonly dataStart?: number;
  /** Bytes of data from `dataStart`; default: the rest of `data`. */
  readonly dataBytes?: number;
}

// Protobuf tags (field number << 3 | wire type) of the fields written.
const TAG_PARTITION_KEY_TABLE = 0x0a; // 1, length-delimited
const TAG_EXPLICIT_HASH_KEY_TABLE = 0x12; // 2, length-delimited
const TAG_RECORDS = 0x1a; // 3, length-delimited
const TAG_PARTITION_KEY_INDEX = 0x08; // 1, varint
const TAG_EXPLICIT_HASH_KEY_INDEX = 0x10; // 2, varint
const TAG_DATA = 0x1a; // 3, length-delimited

/** Below this many bytes, a copy loop is faster than `set` / `write` (a call with fixed overhead). */
const SMALL_COPY = 64;

// Wire types.
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/**
 * Bytes of a protobuf varint.
 *
 * @param value - A non-negative integer (at most 2^53).
 * @returns 1 to 8 bytes.
 */
function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes++;
  }
  return bytes;
}

/**
 * Bytes of one length-delimited field: tag, length, payload.
 *
 * @param length - The payload's bytes.
 * @returns The field's bytes.
 */
function fieldBytes(length: number): number {
  return 1 + varintBytes(length) + length;
}

/** A key table of an aggregate: each distinct key once, with its index. */
class KeyTable {
  readonly keys: string[] = [];
  readonly lengths: number[] = [];
  private readonly indexes = new Map<string, number>();

  /** The index the key has or would get. */
  indexOf(key: string): number {
    return this.indexes.get(key) ?? this.keys.length;
  }

  /** Protobuf bytes that adding the key would add to the table (0 when it is there already). */
  growth(key: string): number {
    return this.indexes.has(key) ? 0 : fieldBytes(Buffer.byteLength(key, 'utf8'));
  }

  /** Adds the key if new; returns its index, and the protobuf bytes added to the table. */
  add(key: string): { index: number; growth: number } {
    const index = this.indexes.get(key);
    if (index !== undefined) return { index, growth: 0 };
    const length = Buffer.byteLength(key, 'utf8');
    this.indexes.set(key, this.keys.length);
    this.keys.push(key);
    this.lengths.push(length);
    return { index: this.keys.length - 1, growth: fieldBytes(length) };
  }
}

/**
 * Packs user records into one aggregate, one at a time, knowing its exact encoded size at every
 * step: {@link AggregateBuilder.sizeWith} says what the aggregate would weigh with one more record
 * (varint sizes, keys already in the tables counted once), without encoding.
 *
 * @example
 * ```ts
 * const builder = new AggregateBuilder();
 * for (const record of records) {
 *   if (builder.count > 0 && builder.sizeWith(record) > 1_000_000) break;
 *   builder.add(record);
 * }
 * const bytes = builder.encode(); // the same bytes as encodeAggregate(records added)
 * ```
 * @category KPL
 */
export class AggregateBuilder {
  private readonly partitionKeys = new KeyTable();
  private readonly explicitHashKeys = new KeyTable();
  private readonly records: { readonly pk: number; readonly ehk: number | undefined; readonly data: Uint8Array; readonly start: number; readonly length: number; readonly bytes: number }[] = [];
  private protobufBytes = 0;

  /** User records added so far. */
  get count(): number {
    return this.records.length;
  }

  /** Bytes of the aggregate as it stands: magic, protobuf and MD5. */
  get size(): number {
    return KPL_OVERHEAD_BYTES + this.protobufBytes;
  }

  /**
   * The size the aggregate would have with one more record, without adding it.
   *
   * @param record - The candidate user record.
   * @returns Bytes of magic, protobuf and MD5 with the record added.
   */
  sizeWith(record: UserRecord): number {
    return this.size + this.growth(record);
  }

  /**
   * Adds a user record at the end of the aggregate.
   *
   * @param record - The user record.
   * @returns The record's index in the aggregate (its sub-sequence number once written).
   */
  add(record: UserRecord): number {
    const pk = this.partitionKeys.add(record.partitionKey);
    let growth = pk.growth;
    let ehk: number | undefined;
    if (record.explicitHashKey !== undefined) {
      const added = this.explicitHashKeys.add(record.explicitHashKey);
      ehk = added.index;
      growth += added.growth;
    }
    const start = record.dataStart ?? 0;
    const length = record.dataBytes ?? record.data.byteLength - start;
    const bytes = recordMessageBytes(pk.index, ehk, length);
    this.protobufBytes += growth + fieldBytes(bytes);
    this.records.push({ pk: pk.index, ehk, data: record.data, start, length, bytes });
    return this.records.length - 1;
  }

  /**
   * Encodes the aggregate: magic, `AggregatedRecord` protobuf, MD5 of the protobuf.
   *
   * @returns Exactly {@link AggregateBuilder.size} bytes.
   */
  encode(): Uint8Array {
    const out = Buffer.allocUnsafe(this.size);
    out.set(KPL_MAGIC, 0);
    let offset = KPL_MAGIC.byteLength;
    const writeVarint = (value: number): void => {
      while (value >= 0x80) {
        out[offset++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
      out[offset++] = value;
    };
    const writeTable = (tag: number, table: KeyTable): void => {
      for (let index = 0; index < table.keys.length; index++) {
        const key = table.keys[index]!;
        const length = table.lengths[index]!;
        out[offset++] = tag;
        writeVarint(length);
        if (length === key.length && length < SMALL_COPY) {
          // ASCII (its UTF-8 is as long as its UTF-16) and short: a loop beats a call into Buffer.write
          for (let i = 0; i < length; i++) out[offset + i] = key.charCodeAt(i);
          offset += length;
        } else offset += out.write(key, offset, 'utf8');
      }
    };
    writeTable(TAG_PARTITION_KEY_TABLE, this.partitionKeys);
    writeTable(TAG_EXPLICIT_HASH_KEY_TABLE, this.explicitHashKeys);
    for (const record of this.records) {
      out[offset++] = TAG_RECORDS;
      writeVarint(record.bytes);
      out[offset++] = TAG_PARTITION_KEY_INDEX;
      writeVarint(record.pk);
      if (record.ehk !== undefined) {
        out[offset++] = TAG_EXPLICIT_HASH_KEY_INDEX;
        writeVarint(record.ehk);
      }
      const { data, start, length } = record;
      out[offset++] = TAG_DATA;
      writeVarint(length);
      if (length < SMALL_COPY) for (let i = 0; i < length; i++) out[offset + i] = data[start + i]!;
      else out.set(start === 0 && length === data.byteLength ? data : data.subarray(start, start + length), offset);
      offset += length;
    }
    createHash('md5').update(out.subarray(KPL_MAGIC.byteLength, offset)).digest().copy(out, offset);
    return out;
  }

  /** Protobuf bytes the record would add: new table entries and its `Record` field. */
  private growth(record: UserRecord): number {
    const { partitionKey, explicitHashKey } = record;
    const pk = this.partitionKeys.indexOf(partitionKey);
    let growth = this.partitionKeys.growth(partitionKey);
    let ehk: number | undefined;
    if (explicitHashKey !== undefined) {
      ehk = this.explicitHashKeys.indexOf(explicitHashKey);
      growth += this.explicitHashKeys.growth(explicitHashKey);
    }
    return growth + fieldBytes(recordMessageBytes(pk, ehk, record.dataBytes ?? record.data.byteLength - (record.dataStart ?? 0)));
  }
}

/**
 * Bytes of one `Record` message (without its own tag and length).
 *
 * @param pk - Its partition key index.
 * @param ehk - Its explicit hash key index, if any.
 * @param dataBytes - Bytes of its data.
 * @returns The message's bytes.
 */
function recordMessageBytes(pk: number, ehk: number | undefined, dataBytes: number): number {
  return 1 + varintBytes(pk) + (ehk === undefined ? 0 : 1 + varintBytes(ehk)) + fieldBytes(dataBytes);
}

/**
 * Encodes user records into one KPL aggregate.
 *
 * @example
 * ```ts
 * const data = encodeAggregate([
 *   { partitionKey: 'customer-1', data: new TextEncoder().encode('{"n":1}') },
 *   { partitionKey: 'customer-2', explicitHashKey: '0', data: new TextEncoder().encode('{"n":2}') },
 * ]);
 * // send `data` as one Kinesis record, with the first user record's partition key
 * ```
 *
 * @param records - The user records, in order (their order is their sub-sequence number).
 * @returns The magic, the `AggregatedRecord` protobuf and the MD5 of the protobuf.
 * @see {@link decodeAggregate} for the reverse.
 * @category KPL
 */
export function encodeAggregate(records: readonly UserRecord[]): Uint8Array {
  const builder = new AggregateBuilder();
  for (const record of records) builder.add(record);
  return builder.encode();
}

/** Thrown inside the decoder for any malformed input; never leaves this module. */
class Malformed extends Error {
  override readonly name = 'Malformed';
}

/** A cursor over protobuf bytes. */
class Reader {
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  varint(): number {
    // one byte: the common case (tags, small indexes, short lengths)
    if (this.offset < this.end && this.bytes[this.offset]! < 0x80) return this.bytes[this.offset++]!;
    let value = 0;
    let scale = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.offset >= this.end) throw new Malformed('truncated varint');
      const byte = this.bytes[this.offset++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new Malformed('varint over 2^53');
        return value;
      }
      scale *= 0x80;
    }
    throw new Malformed('varint over 10 bytes');
  }

  /** Skips over a length-delimited payload; returns where it starts (it ends at `offset`). */
  delimited(): number {
    const length = this.varint();
    const start = this.offset;
    if (length > this.end - start) throw new Malformed('truncated field');
    this.offset = start + length;
    return start;
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LENGTH_DELIMITED) this.delimited();
    else if (wireType === FIXED64 || wireType === FIXED32) {
      const size = wireType === FIXED64 ? 8 : 4;
      if (this.offset + size > this.end) throw new Malformed('truncated fixed field');
      this.offset += size;
    } else throw new Malformed(`wire type ${wireType}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a KPL aggregate into its user records.
 *
 * @example
 * ```ts
 * const users = decodeAggregate(record.Data!) ?? [{ partitionKey: record.PartitionKey!, data: record.Data! }];
 * ```
 *
 * @param data - A Kinesis record's data.
 * @returns The user records, in order (their `data` are views into `data`, not copies); or
 * `undefined` when `data` is not an aggregate: no magic, an MD5 mismatch, or a malformed protobuf
 * (a missing required field, a key index out of its table, invalid UTF-8 in a key). The caller then
 * treats the record as a plain one, as the KCL does.
 * @see {@link encodeAggregate} for the reverse.
 * @category KPL
 */
export function decodeAggregate(data: Uint8Array): UserRecord[] | undefined {
  if (data.byteLength < KPL_OVERHEAD_BYTES) return undefined;
  for (let i = 0; i < KPL_MAGIC.byteLength; i++) if (data[i] !== KPL_MAGIC[i]) return undefined;
  const end = data.byteLength - MD5_BYTES;
  const md5 = createHash('md5').update(data.subarray(KPL_MAGIC.byteLength, end)).digest();
  for (let i = 0; i < MD5_BYTES; i++) if (md5[i] !== data[end + i]) return undefined;
  try {
    return decodeProtobuf(data, KPL_MAGIC.byteLength, end);
  } catch (error) {
    if (error instanceof Malformed || error instanceof TypeError) return undefined; // TypeError: invalid UTF-8
    throw error;
  }
}

/**
 * Decodes an `AggregatedRecord` message.
 *
 * @param bytes - The buffer holding it.
 * @param start - Its first byte.
 * @param end - One past its last byte.
 * @returns Its user records.
 */
function decodeProtobuf(bytes: Uint8Array, start: number, end: number): UserRecord[] {
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const entries: { pk: number; ehk: number | undefined; data: Uint8Array }[] = [];
  const reader = new Reader(bytes, start, end);
  while (!reader.done) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === LENGTH_DELIMITED && (field === 1 || field === 2)) {
      const from = reader.delimited();
      (field === 1 ? partitionKeys : explicitHashKeys).push(utf8.decode(bytes.subarray(from, reader.offset)));
    } else if (wireType === LENGTH_DELIMITED && field === 3) {
      const from = reader.delimited();
      entries.push(decodeRecord(new Reader(bytes, from, reader.offset)));
    } else {
      reader.skip(wireType);
    }
  }
  return entries.map(({ pk, ehk, data }) => {
    const partitionKey = partitionKeys[pk];
    if (partitionKey === undefined) throw new Malformed('partition key index out of the table');
    if (ehk === undefined) return { partitionKey, data };
    const explicitHashKey = explicitHashKeys[ehk];
    if (explicitHashKey === undefined) throw new Malformed('explicit hash key index out of the table');
    return { partitionKey, explicitHashKey, data };
  });
}

/**
 * Decodes one `Record` message (tags and unknown fields skipped).
 *
 * @param reader - A reader over the message.
 * @returns Its key indexes and data.
 */
function decodeRecord(reader: Reader): { pk: number; ehk: number | undefined; data: Uint8Array } {
  let pk: number | undefined;
  let ehk: number | undefined;
  let data: Uint8Array | undefined;
  while (!reader.done) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 1 && wireType === VARINT) pk = reader.varint();
    else if (field === 2 && wireType === VARINT) ehk = reader.varint();
    else if (field === 3 && wireType === LENGTH_DELIMITED) {
      const from = reader.delimited();
      data = reader.bytes.subarray(from, reader.offset);
    } else reader.skip(wireType);
  }
  if (pk === undefined || data === undefined) throw new Malformed('a record without its required fields');
  return { pk, ehk, data };
}
