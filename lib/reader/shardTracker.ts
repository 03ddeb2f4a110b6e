/**
 * Which shards to read, from where, and when: every shard of the first listing that can hold
 * records from the starting position, and every shard that appears in a later listing (a
 * reshard) from its start; a shard only once all its parents are read to their end.
 *
 * @module
 */
import type { Shard } from '@aws-sdk/client-kinesis';
import type { StartingPosition } from './config.js';
import type { ShardPosition } from './shardReader.js';

/** A shard to read now, and where to start in it. */
export interface ShardStart {
  readonly shardId: string;
  readonly position: ShardPosition;
}

/**
 * Where a shard of the first listing is read from, or `undefined` when it holds nothing from the
 * starting position (a closed shard, with `'LATEST'`).
 *
 * @param shard - A shard of the first listing.
 * @param start - The configured starting position.
 * @returns Its position, or `undefined` to skip it.
 */
function firstPosition(shard: Shard, start: StartingPosition): ShardPosition | undefined {
  if (start instanceof Date) return { type: 'AT_TIMESTAMP', timestamp: start };
  if (start === 'TRIM_HORIZON') return { type: 'TRIM_HORIZON' };
  return shard.SequenceNumberRange?.EndingSequenceNumber === undefined ? { type: 'LATEST' } : undefined;
}

/**
 * Keeps the shards of a stream apart by state (waiting for their parents, being read, finished),
 * from the listings it is given and the shards reported finished.
 *
 * @example
 * ```ts
 * const tracker = new ShardTracker('TRIM_HORIZON');
 * tracker.add(await api.listShards(signal));
 * for (const { shardId, position } of tracker.ready()) read(shardId, position);
 * // when a shard is read to its end:
 * tracker.finish(shardId); // then ready() again, and list again for its children
 * ```
 */
export class ShardTracker {
  private readonly known = new Map<string, Shard>();
  private readonly waiting = new Map<string, ShardPosition>();
  private readonly finished = new Set<string>();
  private listings = 0;

  /**
   * @param start - Where reading starts in the shards of the first listing.
   */
  constructor(private readonly start: StartingPosition) {}

  /**
   * Takes a listing: the shards not seen before wait to be read (shards of the first listing from
   * the starting position, later ones from `TRIM_HORIZON`).
   *
   * @param shards - Every shard of the stream, as `ListShards` gives them.
   */
  add(shards: readonly Shard[]): void {
    const first = this.listings === 0;
    this.listings += 1;
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (shardId === undefined || this.known.has(shardId)) continue;
      this.known.set(shardId, shard);
      const position = first ? firstPosition(shard, this.start) : { type: 'TRIM_HORIZON' as const };
      if (position === undefined) this.finished.add(shardId);
      else this.waiting.set(shardId, position);
    }
  }

  /**
   * Marks a shard as read to its end: its children may be read.
   *
   * @param shardId - The shard.
   */
  finish(shardId: string): void {
    this.finished.add(shardId);
  }

  /**
   * The waiting shards whose parents are all read to their end (or were never listed: trimmed
   * away); they are taken off the waiting list.
   *
   * @returns The shards to read now, in listing order.
   */
  ready(): ShardStart[] {
    const starts: ShardStart[] = [];
    for (const [shardId, position] of this.waiting) {
      const shard = this.known.get(shardId)!;
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((parent) => parent !== undefined);
      if (parents.every((parent) => this.finished.has(parent) || !this.known.has(parent))) {
        this.waiting.delete(shardId);
        starts.push({ shardId, position });
      }
    }
    return starts;
  }
}
