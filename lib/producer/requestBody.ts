/**
 * The wire format of `PutRecords`: the request body written by hand, straight into a buffer
 * (each record's bytes base64-encoded into it, its key written into it, JSON-quoted only when it
 * needs escaping; no string per record for small records), and the answer read with
 * `JSON.parse` (`answer.ts`). This replaces the SDK's generic schema serializer and parser for this one
 * operation, which the profile showed to be the largest cost per record; endpoint resolution,
 * signing, credentials and the SDK's retries are untouched.
 *
 * @module
 */
import type { AcceptedRecord } from './prepareRecord.js';
import { base64Length, ENTRY_OVERHEAD, HASH_KEY_OVERHEAD } from '../kinesis/sizes.js';
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

/** The base64 alphabet, as byte values. */
const BASE64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');

/** The '=' of base64 padding. */
const PAD = 0x3d;

/**
 * Data up to this size is base64-encoded by the loop below, straight into the body; larger data
 * by Node's native encoder (faster per byte, but through a string, whose cost only large records
 * amortize).
 */
const NATIVE_BASE64_FROM = 1024;

/**
 * Writes `length` bytes of `data` from `start` in base64 into `buffer` at `at`.
 *
 * @returns The offset after it.
 */
function writeBase64(buffer: Buffer, at: number, data: Uint8Array, start: number, length: number): number {
  if (length >= NATIVE_BASE64_FROM) {
    const bytes = Buffer.from(data.buffer, data.byteOffset + start, length);
    return at + buffer.write(bytes.toString('base64'), at, 'latin1');
  }
  const stop = start + length;
  const end = stop - (length % 3);
  let index = start;
  for (; index < end; index += 3) {
    const bits = (data[index]! << 16) | (data[index + 1]! << 8) | data[index + 2]!;
    buffer[at] = BASE64[bits >>> 18]!;
    buffer[at + 1] = BASE64[(bits >>> 12) & 63]!;
    buffer[at + 2] = BASE64[(bits >>> 6) & 63]!;
    buffer[at + 3] = BASE64[bits & 63]!;
    at += 4;
  }
  if (index < stop) {
    const two = index + 1 < stop;
    const bits = (data[index]! << 16) | (two ? data[index + 1]! << 8 : 0);
    buffer[at] = BASE64[bits >>> 18]!;
    buffer[at + 1] = BASE64[(bits >>> 12) & 63]!;
    buffer[at + 2] = two ? BASE64[(bits >>> 6) & 63]! : PAD;
    buffer[at + 3] = PAD;
    at += 4;
  }
  return at;
}

/**
 * Writes a string of single-byte characters (ASCII, as the caller knows) into `buffer` at `at`.
 *
 * @returns The offset after it.
 */
function writeAscii(buffer: Buffer, at: number, text: string): number {
  if (text.length > 64) return at + buffer.write(text, at, 'latin1');
  for (let index = 0; index < text.length; index++) buffer[at + index] = text.charCodeAt(index);
  return at + text.length;
}

const DATA = '{"Data":"';
const KEY = '","PartitionKey":';
const HASH_KEY = ',"ExplicitHashKey":"';

/**
 * Writes a `PutRecords` request body into `buffers`' next buffer.
 *
 * Each record's `wireBytes` (from `entryBytes`) says whether its key needs escaping: a key that
 * takes its length plus the two quotes is plain ASCII with nothing to escape (escaping, like any
 * character outside ASCII, always lengthens), and is copied as is; any other is written as
 * `JSON.stringify` quotes it.
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
    const { data, dataStart, dataBytes, partitionKey, explicitHashKey, wireBytes } = records[i]!;
    if (i > 0) buffer[at++] = 0x2c; // ,
    at = writeAscii(buffer, at, DATA);
    at = writeBase64(buffer, at, data, dataStart, dataBytes);
    at = writeAscii(buffer, at, KEY);
    const quotedKey = wireBytes - ENTRY_OVERHEAD - base64Length(dataBytes) - (explicitHashKey === undefined ? 0 : HASH_KEY_OVERHEAD + explicitHashKey.length);
    if (quotedKey === partitionKey.length + 2) {
      buffer[at++] = 0x22; // "
      at = writeAscii(buffer, at, partitionKey);
      buffer[at++] = 0x22;
    } else {
      at += buffer.write(JSON.stringify(partitionKey), at, 'utf8');
    }
    if (explicitHashKey !== undefined) {
      at = writeAscii(buffer, at, HASH_KEY);
      at = writeAscii(buffer, at, explicitHashKey);
      buffer[at++] = 0x22;
    }
    buffer[at++] = 0x7d; // }
  }
  buffer[at++] = 0x5d; // ]
  buffer[at++] = 0x7d; // }
  return { buffer, body: buffer.subarray(0, at) };
}
