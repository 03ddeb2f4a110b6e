/**
 * The wire format of `PutRecords`: the request body written by hand, straight into a buffer
 * (each record's bytes base64-encoded once, its key JSON-quoted), and the answer read with
 * `JSON.parse` (`answer.ts`). This replaces the SDK's generic schema serializer and parser for this one
 * operation, which the profile showed to be the largest cost per record; endpoint resolution,
 * signing, credentials and the SDK's retries are untouched.
 *
 * @module
 */
import type { AcceptedRecord } from './prepareRecord.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';

/** The start of every request body for a stream: `{"StreamName":"...","Records":[`. */
export function bodyHead(target: StreamTarget): string {
  const fields = Object.entries(target).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  return `{${fields.join(',')},"Records":[`;
}

/** Bytes a JSON string of `length` UTF-16 units can take in UTF-8, at most. */
const maxUtf8 = (length: number): number => length * 3;

/** Buffers kept for reuse, at most. */
const KEPT_BUFFERS = 4;

/** Reusable body buffers, so that the memory of large requests is touched once, not per request. */
export class BodyBuffers {
  readonly #free: Buffer[] = [];

  /** The smallest free buffer of at least `size` bytes, or a new one. */
  take(size: number): Buffer {
    let best = -1;
    this.#free.forEach((buffer, index) => {
      if (buffer.length >= size && (best < 0 || buffer.length < this.#free[best]!.length)) best = index;
    });
    if (best >= 0) return this.#free.splice(best, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
  }

  /** Gives a buffer back once the server has read its whole request; the largest few are kept. */
  give(buffer: Buffer): void {
    this.#free.push(buffer);
    if (this.#free.length > KEPT_BUFFERS) {
      this.#free.sort((a, b) => b.length - a.length);
      this.#free.length = KEPT_BUFFERS;
    }
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
  let size = maxUtf8(head.length) + 2;
  for (const record of records) size += record.wireBytes;
  const buffer = buffers.take(size);
  let at = buffer.write(head, 0, 'utf8');
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const data = Buffer.isBuffer(record.data) ? record.data : Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
    const hashKey = record.explicitHashKey === undefined ? '' : `,"ExplicitHashKey":"${record.explicitHashKey}"`;
    at += buffer.write(`${i === 0 ? '' : ','}{"Data":"${data.toString('base64')}","PartitionKey":${JSON.stringify(record.partitionKey)}${hashKey}}`, at, 'utf8');
  }
  at += buffer.write(']}', at, 'latin1');
  return { buffer, body: buffer.subarray(0, at) };
}
