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

/** Base64 length of `bytes` bytes. */
const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** Characters that JSON escaping lengthens: quotes, backslashes, control characters, lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The fixed part of an entry: `,{"Data":"","PartitionKey":}`. */
const ENTRY_OVERHEAD = ',{"Data":"","PartitionKey":}'.length;

/**
 * Bytes of one record's entry in the request body.
 *
 * @param dataBytes - The record's data length.
 * @param partitionKey - Its key.
 * @param explicitHashKey - Its explicit hash key, if any.
 * @returns Base64 data, JSON-quoted key (UTF-8), hash key and punctuation.
 */
export function entryBytes(dataBytes: number, partitionKey: string, explicitHashKey: string | undefined): number {
  const key = NEEDS_ESCAPE.test(partitionKey) ? Buffer.byteLength(JSON.stringify(partitionKey)) : Buffer.byteLength(partitionKey) + 2;
  const hash = explicitHashKey === undefined ? 0 : ',"ExplicitHashKey":""'.length + explicitHashKey.length;
  return ENTRY_OVERHEAD + base64Length(dataBytes) + key + hash;
}
