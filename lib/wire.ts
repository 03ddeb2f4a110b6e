/**
 * The wire format of `PutRecords`: the request body written by hand, straight into a buffer
 * (each record's bytes base64-encoded once, its key JSON-quoted), and the answer read with
 * `JSON.parse`. This replaces the SDK's generic schema serializer and parser for this one
 * operation, which the profile showed to be the largest cost per record; endpoint resolution,
 * signing, credentials and the SDK's retries are untouched.
 *
 * @module
 */
import type { AcceptedRecord } from './records.js';

/** One entry of a `PutRecords` answer. */
export interface WireResultEntry {
  readonly ShardId?: string;
  readonly SequenceNumber?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** A `PutRecords` answer. */
export interface WireResult {
  readonly FailedRecordCount?: number;
  readonly Records?: readonly WireResultEntry[];
}

/** Which stream a request writes to: its name, its ARN, or both. */
export interface StreamTarget {
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

/** The start of every request body for a stream: `{"StreamName":"...","Records":[`. */
export function bodyHead(target: StreamTarget): string {
  const fields = Object.entries(target).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  return `{${fields.join(',')},"Records":[`;
}

/** Bytes a JSON string of `length` UTF-16 units can take in UTF-8, at most. */
const maxUtf8 = (length: number): number => length * 3;

/** Base64 length of `bytes` bytes. */
const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** Reusable body buffers, so that the memory of large requests is touched once, not per request. */
export class BodyBuffers {
  readonly #free: Buffer[] = [];

  /** A buffer of at least `size` bytes. */
  take(size: number): Buffer {
    const index = this.#free.findIndex((buffer) => buffer.length >= size);
    if (index >= 0) return this.#free.splice(index, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
  }

  /** Gives a buffer back once its request is over. */
  give(buffer: Buffer): void {
    this.#free.push(buffer);
  }
}

/**
 * Writes a `PutRecords` request body into `buffers`' next buffer.
 *
 * @param head - {@link bodyHead} of the stream.
 * @param records - The records, in order.
 * @param buffers - Where the buffer comes from.
 * @returns The buffer (give it back when the request is over) and the body, a view of it.
 */
export function writeBody(head: string, records: readonly AcceptedRecord<unknown>[], buffers: BodyBuffers): { buffer: Buffer; body: Buffer } {
  const keys = new Array<string>(records.length);
  let size = maxUtf8(head.length) + 2;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    keys[i] = JSON.stringify(record.partitionKey);
    size += 64 + base64Length(record.data.byteLength) + maxUtf8(keys[i]!.length) + (record.explicitHashKey?.length ?? 0);
  }
  const buffer = buffers.take(size);
  let at = buffer.write(head, 0, 'utf8');
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const data = Buffer.isBuffer(record.data) ? record.data : Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
    const hashKey = record.explicitHashKey === undefined ? '' : `,"ExplicitHashKey":"${record.explicitHashKey}"`;
    at += buffer.write(`${i === 0 ? '' : ','}{"Data":"${data.toString('base64')}","PartitionKey":${keys[i]!}${hashKey}}`, at, 'utf8');
  }
  at += buffer.write(']}', at, 'latin1');
  return { buffer, body: buffer.subarray(0, at) };
}
