/**
 * Record serialization: the one place where an item becomes the bytes that are sent. Each item
 * is serialized exactly once; the same bytes are measured and sent.
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

/**
 * Serializes one item with the configured serializer, checked.
 *
 * @param serialize - The configured serializer.
 * @param item - The item.
 * @returns The bytes to send.
 * @throws {@link RecordRejection} with `SerializationError` when the serializer throws or returns neither bytes nor a string.
 */
export function serializeItem<T>(serialize: Serializer<T>, item: T): Uint8Array {
  let value: unknown;
  try {
    value = serialize(item);
  } catch (error) {
    throw new RecordRejection('SerializationError', `cannot serialize the item: ${messageOf(error)}`);
  }
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return value;
  throw new RecordRejection('SerializationError', `serialize returned ${value === null ? 'null' : typeof value}, expected a Uint8Array or a string`);
}
