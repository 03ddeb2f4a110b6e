/**
 * Byte accounting, done the way the service counts: a record weighs its data plus its partition
 * key (UTF-8).
 *
 * @module
 */

/**
 * Base64 length of `bytes` bytes.
 *
 * @param bytes - A length in bytes.
 * @returns Its base64 length, padding included.
 */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** The fixed part of an entry: `,{"Data":"","PartitionKey":}`. */
export const ENTRY_OVERHEAD = ',{"Data":"","PartitionKey":}'.length;

/** The fixed part of an explicit hash key in an entry: `,"ExplicitHashKey":""`. */
export const HASH_KEY_OVERHEAD = ',"ExplicitHashKey":""'.length;

/**
 * Bytes of a key once JSON-quoted (as `JSON.stringify` writes it, in UTF-8), from its UTF-8 bytes:
 * the quotes, plus what escaping adds (a quote or backslash becomes two characters, a control
 * character two or six, a lone surrogate six where UTF-8 would take three). One pass over the
 * key's characters, no regular expression.
 *
 * @param key - The key.
 * @param utf8Bytes - `Buffer.byteLength(key)`, as measured once by the caller.
 * @returns The bytes of `JSON.stringify(key)` in UTF-8.
 */
export function quotedKeyBytes(key: string, utf8Bytes: number): number {
  let bytes = utf8Bytes + 2;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    if (code >= 0x20 && code < 0xd800) {
      if (code === 0x22 || code === 0x5c) bytes += 1;
    } else if (code < 0x20) {
      // \b \t \n \f \r: two characters; any other control character: \u00XX, six.
      bytes += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 1 : 5;
    } else if (code <= 0xdfff) {
      const next = index + 1 < key.length ? key.charCodeAt(index + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) index++;
      // A lone surrogate: \uXXXX, six bytes, where UTF-8 counted three (U+FFFD).
      else bytes += 3;
    }
  }
  return bytes;
}

/**
 * Bytes of one record's entry in the request body, from sizes measured once.
 *
 * @param dataBytes - The record's data length.
 * @param quotedKey - {@link quotedKeyBytes} of its key.
 * @param explicitHashKey - Its explicit hash key, if any (decimal digits).
 * @returns Base64 data, JSON-quoted key, hash key and punctuation.
 */
export function entryBytesOf(dataBytes: number, quotedKey: number, explicitHashKey: string | undefined): number {
  return ENTRY_OVERHEAD + base64Length(dataBytes) + quotedKey + (explicitHashKey === undefined ? 0 : HASH_KEY_OVERHEAD + explicitHashKey.length);
}

/**
 * Bytes of one record's entry in the request body.
 *
 * @param dataBytes - The record's data length.
 * @param partitionKey - Its key.
 * @param explicitHashKey - Its explicit hash key, if any.
 * @returns Base64 data, JSON-quoted key (UTF-8), hash key and punctuation.
 */
export function entryBytes(dataBytes: number, partitionKey: string, explicitHashKey: string | undefined): number {
  return entryBytesOf(dataBytes, quotedKeyBytes(partitionKey, Buffer.byteLength(partitionKey)), explicitHashKey);
}
