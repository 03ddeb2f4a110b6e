/**
 * Record serialization: the one place where an item becomes the bytes that are sent. Each item
 * is serialized exactly once; the same bytes are measured and sent.
 *
 * Text (what `JSON.stringify` gives, or a serializer's string) is encoded as UTF-8 into a shared
 * slab of 64 KiB, one record after the other, and a record keeps where its bytes are in the slab
 * (no `Buffer` object per record: one is about 100 bytes of heap besides its data, more than half
 * the data of a typical small record). A slab lives as long as one record in it waits.
 *
 * @module
 */
import { RecordRejection } from './errors.js';
import { messageOf } from '../shared/errors.js';

/** Turns an item into the bytes (or a UTF-8 string) that are sent. */
export type Serializer<T> = (item: T) => Uint8Array | string;

/**
 * The default serializer: a `Uint8Array`/`Buffer` as is, a string as UTF-8, anything else as
 * `JSON.stringify`.
 *
 * @param item - Any item.
 * @returns Bytes or a string to send.
 * @throws When `JSON.stringify` throws (circular structure, BigInt) or gives nothing (`undefined`, a function, a symbol).
 */
export function defaultSerialize(item: unknown): Uint8Array | string {
  if (item instanceof Uint8Array || typeof item === 'string') return item;
  const json: string | undefined = JSON.stringify(item);
  if (json === undefined) throw new TypeError(`JSON.stringify gives no text for ${item === undefined ? 'undefined' : `a ${typeof item}`}`);
  return json;
}

/** Where one record's bytes are: `bytes` bytes of `buffer` from `start`. */
export interface DataPlace {
  buffer: Uint8Array;
  start: number;
  bytes: number;
}

/** Bytes per slab. */
const SLAB_BYTES = 64 * 1024;

/** Text longer than this (in UTF-16 units: up to 3 UTF-8 bytes each) gets a buffer of its own. */
const SLAB_TEXT_MAX = 4 * 1024;

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabAt = 0;

/** Encodes `text` as UTF-8 into the slab (a new one when it may not fit), into `place`. */
function placeText(text: string, place: DataPlace): void {
  if (text.length > SLAB_TEXT_MAX) {
    const own = Buffer.from(text, 'utf8');
    place.buffer = own;
    place.start = 0;
    place.bytes = own.byteLength;
    return;
  }
  if (SLAB_BYTES - slabAt < text.length * 3) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabAt = 0;
  }
  const bytes = slab.write(text, slabAt, 'utf8');
  place.buffer = slab;
  place.start = slabAt;
  place.bytes = bytes;
  slabAt += bytes;
}

/**
 * Serializes one item with the configured serializer, checked, and says where its bytes are:
 * bytes as given, text encoded as UTF-8 into a shared slab.
 *
 * @param serialize - The configured serializer.
 * @param item - The item.
 * @param place - Receives where the bytes are (reused by the caller: no object per record).
 * @returns `undefined` once `place` is set; a {@link RecordRejection} with `SerializationError` when the serializer throws or returns neither bytes nor a string.
 */
export function serializeItem<T>(serialize: Serializer<T>, item: T, place: DataPlace): RecordRejection | undefined {
  let value: unknown;
  try {
    value = serialize(item);
  } catch (error) {
    return new RecordRejection('SerializationError', `cannot serialize the item: ${messageOf(error)}`);
  }
  if (typeof value === 'string') {
    placeText(value, place);
    return undefined;
  }
  if (value instanceof Uint8Array) {
    place.buffer = value;
    place.start = 0;
    place.bytes = value.byteLength;
    return undefined;
  }
  return new RecordRejection('SerializationError', `serialize returned ${value === null ? 'null' : typeof value}, expected a Uint8Array or a string`);
}

/**
 * The bytes of a record, as one view (the buffer itself when it holds nothing else).
 *
 * @param record - Where the record's bytes are.
 * @returns The record's bytes.
 */
export function dataOf(record: { readonly data: Uint8Array; readonly dataStart: number; readonly dataBytes: number }): Uint8Array {
  const { data, dataStart, dataBytes } = record;
  return dataStart === 0 && dataBytes === data.byteLength ? data : data.subarray(dataStart, dataStart + dataBytes);
}
