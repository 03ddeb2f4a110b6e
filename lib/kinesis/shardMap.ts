/**
 * Shard prediction: which open shard of a stream a record's key maps to, the way the service
 * decides it (the explicit hash key, or else the MD5 of the partition key, as a 128-bit unsigned
 * integer, falls in exactly one open shard's hash key range).
 *
 * @module
 */
import { hash } from 'node:crypto';
import type { Shard } from '@aws-sdk/client-kinesis';

/** Hex digits of a 128-bit hash key. */
const HASH_KEY_HEX_DIGITS = 32;

/** Partition keys whose shard a {@link ShardMap} keeps (it starts over when full). */
const PREDICTED_KEYS_KEPT = 10_000;

/** A 128-bit hash key as 32 lower-case hex digits: ordered as strings as the numbers are. */
type HashKeyHex = string;

/** A decimal hash key (0 .. 2^128-1) as 32 hex digits. */
const decimalToHex = (decimal: string): HashKeyHex => BigInt(decimal).toString(16).padStart(HASH_KEY_HEX_DIGITS, '0');

/**
 * The 128-bit hash key the service places a record by.
 *
 * @example
 * ```ts
 * hashKeyOf('customer-1'); // the MD5 of 'customer-1' (UTF-8) as an unsigned big-endian integer
 * hashKeyOf('customer-1', '0'); // 0n: the explicit hash key wins
 * ```
 * @param partitionKey - The record's partition key.
 * @param explicitHashKey - Its explicit hash key (decimal), if any.
 * @returns The hash key, 0 .. 2^128-1.
 */
export function hashKeyOf(partitionKey: string, explicitHashKey?: string): bigint {
  return BigInt(`0x${hashKeyHex(partitionKey, explicitHashKey)}`);
}

/** {@link hashKeyOf} as 32 hex digits (no BigInt on the common path). */
function hashKeyHex(partitionKey: string, explicitHashKey: string | undefined): HashKeyHex {
  // crypto.hash (one shot, Node 20.12+) is several times faster than createHash for short keys
  return explicitHashKey === undefined ? hash('md5', partitionKey, 'hex') : decimalToHex(explicitHashKey);
}

/**
 * The open shards of a stream by hash key range: predicts the shard of a record.
 *
 * @example
 * ```ts
 * const map = ShardMap.fromShards(await listShards(client, { StreamName: 'events' }));
 * map?.predict('customer-1'); // 'shardId-000000000001'
 * ```
 */
export class ShardMap {
  /** Shards predicted by partition key (no explicit hash key), so that a recurring key is hashed once. */
  private readonly byKey = new Map<string, string>();

  private constructor(
    private readonly starts: readonly HashKeyHex[],
    private readonly ids: readonly string[],
  ) {}

  /**
   * Builds the map from `ListShards`: the open shards (no ending sequence number), by starting
   * hash key.
   *
   * @param shards - Every shard of the stream, as listed.
   * @returns The map, or `undefined` when no shard is open.
   */
  static fromShards(shards: readonly Shard[]): ShardMap | undefined {
    const open = shards
      .filter((shard) => shard.ShardId !== undefined && shard.HashKeyRange?.StartingHashKey !== undefined && shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
      .map((shard) => ({ id: shard.ShardId!, start: decimalToHex(shard.HashKeyRange!.StartingHashKey!) }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    if (open.length === 0) return undefined;
    return new ShardMap(
      open.map((shard) => shard.start),
      open.map((shard) => shard.id),
    );
  }

  /**
   * Whether a shard is one of the map's open shards.
   *
   * @param shardId - A shard id, such as one a `PutRecords` answer names.
   * @returns `true` when the map knows it.
   */
  has(shardId: string): boolean {
    return this.ids.includes(shardId);
  }

  /** The open shards' ids, by starting hash key. */
  get shardIds(): readonly string[] {
    return this.ids;
  }

  /** Open shards in the map. */
  get shardCount(): number {
    return this.ids.length;
  }

  /**
   * The open shard whose hash key range holds the record's hash key.
   *
   * @param partitionKey - The record's partition key.
   * @param explicitHashKey - Its explicit hash key (decimal), if any.
   * @returns The shard's id.
   */
  predict(partitionKey: string, explicitHashKey?: string): string {
    if (this.ids.length === 1) return this.ids[0]!;
    if (explicitHashKey !== undefined) return this.shardOf(hashKeyHex(partitionKey, explicitHashKey));
    let shardId = this.byKey.get(partitionKey);
    if (shardId === undefined) {
      if (this.byKey.size >= PREDICTED_KEYS_KEPT) this.byKey.clear();
      shardId = this.shardOf(hashKeyHex(partitionKey, undefined));
      this.byKey.set(partitionKey, shardId);
    }
    return shardId;
  }

  /** The open shard whose range holds a hash key. */
  private shardOf(hashKey: HashKeyHex): string {
    // The last shard starting at or below the hash (open shards cover the whole range).
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.starts[middle]! <= hashKey) low = middle;
      else high = middle - 1;
    }
    return this.ids[low]!;
  }
}

