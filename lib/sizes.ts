/**
 * Byte accounting, done the way the service counts: a record weighs its data plus its partition
 * key (UTF-8).
 *
 * @module
 */

/**
 * The size the service charges for one record against the record and request limits.
 *
 * @param data - The record's data, as sent.
 * @param partitionKey - The record's partition key.
 * @returns Data bytes plus the UTF-8 bytes of the partition key.
 */
export function recordBytes(data: Uint8Array, partitionKey: string): number {
  return data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
}

/**
 * A human-readable size for messages: `'1,048,577 bytes'`.
 *
 * @param bytes - A byte count.
 * @returns The count with thousands separators and its unit.
 */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}
