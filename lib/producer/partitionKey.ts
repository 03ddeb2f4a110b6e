/**
 * Partition keys and explicit hash keys: where each record's key comes from, and the checks that
 * keep the service from refusing a request for a bad key.
 *
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import { RecordRejection } from './errors.js';
import { MAX_EXPLICIT_HASH_KEY, MAX_PARTITION_KEY_LENGTH } from '../kinesis/limits.js';
import { messageOf } from '../shared/errors.js';
import { readFieldPath } from '../shared/fieldPath.js';

/** Computes the partition key of one item, or the {@link RecordRejection} when it cannot. */
export type PartitionKeyOf<T> = (item: T) => string | RecordRejection;

/** Computes the explicit hash key of one item (or `undefined`), or the {@link RecordRejection} when it is invalid. */
export type ExplicitHashKeyOf<T> = (item: T) => string | undefined | RecordRejection;

/** A function that refuses the record with `errorCode`. */
const rejecting =
  (errorCode: 'InvalidPartitionKey' | 'InvalidExplicitHashKey') =>
  (errorMessage: string): RecordRejection =>
    new RecordRejection(errorCode, errorMessage);

const reject = rejecting('InvalidPartitionKey');

/** A UTF-16 surrogate without its pair: UTF-8 cannot carry it (an encoder writes U+FFFD instead). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A key as the service takes it: a string of 1 to 256 characters (a finite number is written in
 * decimal). With `wellFormed` (keys that go into KPL aggregates, which store them as UTF-8), a key
 * with a lone surrogate is refused: readers would see another key than the one reported.
 */
function checkedKey(value: unknown, origin: string, wellFormed: boolean): string | RecordRejection {
  if (value instanceof RecordRejection) return value;
  const key = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof key !== 'string') {
    return reject(`${origin} is ${value === undefined ? 'missing' : `${value === null ? 'null' : typeof value}`}, expected a string or number`);
  }
  if (key.length === 0) return reject(`${origin} is empty`);
  if (key.length > MAX_PARTITION_KEY_LENGTH) {
    return reject(`${origin} is ${key.length} characters long, over the limit of ${MAX_PARTITION_KEY_LENGTH}`);
  }
  if (wellFormed && LONE_SURROGATE.test(key)) {
    return reject(`${origin} has a lone UTF-16 surrogate, which a KPL aggregate cannot store (it would read back as U+FFFD)`);
  }
  return key;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** Random bytes drawn at once from the CSPRNG: 256 keys' worth. */
const RANDOM_BLOCK = 16 * 256;
const randomBlock = Buffer.allocUnsafeSlow(RANDOM_BLOCK);
let randomAt = RANDOM_BLOCK;

/** Where `uuid` takes each key's 16 random bytes from (reused: no view per key). */
const keyRandom = new Uint8Array(16);

/** The next 16 random bytes of the block, copied into {@link keyRandom} (`crypto.randomFillSync` draws a new block when it is used up). */
function nextRandomBytes(): Uint8Array {
  if (randomAt === RANDOM_BLOCK) {
    randomFillSync(randomBlock);
    randomAt = 0;
  }
  for (let index = 0; index < 16; index++) keyRandom[index] = randomBlock[randomAt + index]!;
  randomAt += 16;
  return keyRandom;
}

const UUID_OPTIONS = { rng: nextRandomBytes };

/** The 16 bytes of one key. */
const keyBytes = new Uint8Array(16);

/** Characters (and UTF-8 bytes) of a key made by {@link randomKey}: 32 hex digits and 4 dashes. */
export const RANDOM_KEY_LENGTH = 36;

/** Where one key is written before it becomes a string. */
const keyText = Buffer.allocUnsafeSlow(RANDOM_KEY_LENGTH);

/**
 * A random UUID v4 (RFC 9562: 122 random bits, the version nibble 4, the variant bits 10), in
 * lower-case hex with dashes. `uuid`'s `v4` sets the version and variant on 16 random bytes drawn
 * from the CSPRNG (`crypto.randomFillSync`, the source of `randomUUID`) in blocks of 256 keys;
 * they are formatted here into a reused buffer and read back as one flat string, which later steps
 * (byte counts, the request body) read faster than the concatenated string `v4()` returns.
 *
 * @example
 * ```ts
 * randomKey(); // '3b241101-e2bb-4255-8caf-4136c566a962'
 * ```
 * @returns A new random UUID v4.
 */
export function randomKey(): string {
  uuidv4(UUID_OPTIONS, keyBytes);
  let at = 0;
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) keyText[at++] = 0x2d; // -
    const byte = keyBytes[index]!;
    keyText[at++] = HEX_DIGITS[byte >> 4]!;
    keyText[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return keyText.toString('latin1', 0, RANDOM_KEY_LENGTH);
}

/**
 * The partition key function for a `partitionKey` setting.
 *
 * @param option - A field path, a function, or `undefined` for a random UUID v4 per record.
 * @param wellFormed - Refuse keys with a lone surrogate (with aggregation: keys stored as UTF-8).
 * @returns A function from an item to its checked key.
 */
export function partitionKeyOf<T>(option: string | ((item: T) => string | number) | undefined, wellFormed = false): PartitionKeyOf<T> {
  if (option === undefined) return randomKey;
  if (typeof option === 'string') {
    const read = readFieldPath(option);
    const origin = `field '${option}'`;
    const reading = `reading ${origin}`;
    return (item) => checkedKey(call(read, item, reading, reject), origin, wellFormed);
  }
  return (item) => checkedKey(call(option, item, 'partitionKey function', reject), 'the key returned by partitionKey', wellFormed);
}

/** Calls a user callback; what it throws becomes a rejection of the record, not an error of the stream. */
function call<T>(callback: (item: T) => unknown, item: T, what: string, fail: (message: string) => RecordRejection): unknown {
  try {
    return callback(item);
  } catch (error) {
    return fail(`${what} threw: ${messageOf(error)}`);
  }
}

const HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

/** 2^128 - 1 in decimal: 39 digits. A key of fewer digits is below it; one of 39 compares as text. */
const MAX_HASH_KEY_DIGITS = MAX_EXPLICIT_HASH_KEY.toString();

/** Whether a string of decimal digits without leading zeros (`HASH_KEY_PATTERN`) is at most 2^128 - 1, without a BigInt. */
const inHashKeyRange = (digits: string): boolean => digits.length < MAX_HASH_KEY_DIGITS.length || digits <= MAX_HASH_KEY_DIGITS;

/**
 * The explicit hash key function for an `explicitHashKey` setting.
 *
 * @param option - A function returning a decimal string in 0 .. 2^128-1 or `undefined`; or `undefined` for none.
 * @returns A function from an item to its checked hash key (or `undefined`).
 */
export function explicitHashKeyOf<T>(option: ((item: T) => string | undefined) | undefined): ExplicitHashKeyOf<T> {
  if (option === undefined) return () => undefined;
  const invalid = rejecting('InvalidExplicitHashKey');
  return (item) => {
    const value = call(option, item, 'explicitHashKey function', invalid);
    if (value === undefined || value instanceof RecordRejection) return value;
    if (typeof value !== 'string' || !HASH_KEY_PATTERN.test(value) || !inHashKeyRange(value)) {
      const shown = typeof value === 'string' ? `'${value.slice(0, 60)}'` : typeof value;
      return invalid(`explicitHashKey returned ${shown}, expected a decimal integer from 0 to 2^128-1`);
    }
    return value;
  };
}
