/**
 * One stream of the simulator: every shard it had, the open ones by hash key range (to route a
 * record to its shard), its sequence numbers, and its reshards (split, merge).
 *
 * @module
 */
import { invalidArgument, shardClosed, shardNotFound } from './errors.js';
import { SimulatedShard } from './shard.js';
import type { ShardCapacity } from './shard.js';

/** The largest hash key: 2^128 - 1. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** How a stream is created. */
export interface StreamSettings {
  readonly capacity: ShardCapacity;
  /** The largest record (data plus partition key), in KiB: 1024 to 10240. */
  readonly maxRecordSizeKiB: number;
}

/** Identifies stream instances, so that an iterator of a deleted stream is refused by its namesake. */
let streamInstances = 0;

/** A stream: every shard it had, the open ones by range, and its sequence numbers. */
export class SimulatedStream {
  /** Every shard, in creation order (the order `ListShards` gives). */
  readonly shards: SimulatedShard[] = [];
  /** Unique among the streams of this process. */
  readonly instance = ++streamInstances;
  /** When it was created, in seconds since the epoch. */
  readonly createdAtSeconds = Math.floor(Date.now() / 1000);
  private readonly byId = new Map<string, SimulatedShard>();
  private openByStart: SimulatedShard[] = [];
  private openStarts: string[] = [];
  private nextSequence = 1;

  /**
   * Creates the stream's shards, splitting the hash key space evenly as `CreateStream` does (the
   * last shard ends at 2^128 - 1).
   *
   * @param name - The stream's name.
   * @param arn - Its ARN.
   * @param account - The account id.
   * @param shardCount - Its shards.
   * @param settings - Write limits and maximum record size.
   * @param now - The time, on the monotonic clock.
   */
  constructor(
    readonly name: string,
    readonly arn: string,
    private readonly account: string,
    shardCount: number,
    public settings: StreamSettings,
    now: number,
  ) {
    const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
    for (let index = 0; index < shardCount; index++) {
      const start = width * BigInt(index);
      const end = index === shardCount - 1 ? MAX_HASH_KEY : start + width - 1n;
      this.addShard(start, end, {}, now);
    }
    this.indexOpenShards();
  }

  /** The largest record accepted, data plus partition key, in bytes. */
  get maxRecordBytes(): number {
    return this.settings.maxRecordSizeKiB * 1024;
  }

  /** The open shards, by starting hash key. */
  get openShards(): readonly SimulatedShard[] {
    return this.openByStart;
  }

  /**
   * The shard of that id.
   *
   * @param shardId - The shard's id.
   * @returns The shard.
   * @throws `ResourceNotFoundException` when the stream has no such shard.
   */
  shard(shardId: string): SimulatedShard {
    const shard = this.byId.get(shardId);
    if (shard === undefined) throw shardNotFound(shardId, this.name, this.account);
    return shard;
  }

  /**
   * The open shard whose hash key range holds a record's hash key.
   *
   * @param placement - The record's hash key as 32 hex digits ({@link placementKey}).
   * @returns The shard.
   */
  route(placement: string): SimulatedShard {
    const starts = this.openStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (starts[middle]! <= placement) low = middle;
      else high = middle - 1;
    }
    return this.openByStart[low]!;
  }

  /** The next sequence number of the stream (each is used once). */
  issueSequenceNumber(): string {
    return sequenceNumber(this.nextSequence++);
  }

  /**
   * Splits an open shard in two at `newStartingHashKey`: the parent is closed (it gets an ending
   * sequence number); two children, each with a full bucket, take its two halves.
   *
   * @param shardId - The shard to split.
   * @param newStartingHashKey - The second child's first hash key: more than one above the
   *   parent's first and below its last (the service's rule). Default: the middle of its range.
   * @param now - The time, on the monotonic clock.
   * @returns The two children, lower range first.
   * @throws `ResourceNotFoundException`, or `InvalidArgumentException` for a closed shard or a key outside the range.
   */
  split(shardId: string, newStartingHashKey: bigint | undefined, now: number): [SimulatedShard, SimulatedShard] {
    const parent = this.openShard(shardId);
    const at = newStartingHashKey ?? parent.start + (parent.end - parent.start + 1n) / 2n;
    if (at <= parent.start + 1n || at >= parent.end) {
      throw invalidArgument(
        `NewStartingHashKey ${at} used in SplitShard() on shard ${shardId} in stream ${this.name} under account ${this.account} ` +
          `is not both greater than one plus the shard's StartingHashKey ${parent.start} and less than the shard's EndingHashKey ${parent.end}.`,
      );
    }
    this.close(parent, now);
    const children: [SimulatedShard, SimulatedShard] = [
      this.addShard(parent.start, at - 1n, { parent: shardId }, now),
      this.addShard(at, parent.end, { parent: shardId }, now),
    ];
    this.indexOpenShards();
    return children;
  }

  /**
   * Merges two open shards with adjacent ranges into one: both are closed; the child, with a full
   * bucket, takes their joint range.
   *
   * @param shardId - The shard to merge (the child's `ParentShardId`).
   * @param adjacentShardId - The shard next to it (the child's `AdjacentParentShardId`).
   * @param now - The time, on the monotonic clock.
   * @returns The child.
   * @throws `ResourceNotFoundException`, or `InvalidArgumentException` for a closed shard or ranges that do not touch.
   */
  merge(shardId: string, adjacentShardId: string, now: number): SimulatedShard {
    const first = this.openShard(shardId);
    const second = this.openShard(adjacentShardId);
    const [low, high] = first.start < second.start ? [first, second] : [second, first];
    if (low.end + 1n !== high.start) {
      throw invalidArgument(
        `Shards ${shardId} and ${adjacentShardId} in stream ${this.name} under account ${this.account} are not an adjacent pair of shards eligible for merging`,
      );
    }
    this.close(first, now);
    this.close(second, now);
    const child = this.addShard(low.start, high.end, { parent: shardId, adjacentParent: adjacentShardId }, now);
    this.indexOpenShards();
    return child;
  }

  /** An open shard of that id (see {@link shard}); a closed one is refused as the service refuses it. */
  private openShard(shardId: string): SimulatedShard {
    const shard = this.shard(shardId);
    if (!shard.open) throw shardClosed(shardId, this.name, this.account);
    return shard;
  }

  private close(shard: SimulatedShard, now: number): void {
    shard.endingSequenceNumber = this.issueSequenceNumber();
    shard.closedAt = now;
  }

  private addShard(start: bigint, end: bigint, parents: SimulatedShard['parents'], now: number): SimulatedShard {
    const id = `shardId-${String(this.shards.length).padStart(12, '0')}`;
    const shard = new SimulatedShard(id, this.name, this.account, start, end, sequenceNumber(this.nextSequence), parents, this.settings.capacity, now);
    this.shards.push(shard);
    this.byId.set(id, shard);
    return shard;
  }

  private indexOpenShards(): void {
    this.openByStart = this.shards.filter((shard) => shard.open).sort((a, b) => (a.startHex < b.startHex ? -1 : 1));
    this.openStarts = this.openByStart.map((shard) => shard.startHex);
  }
}

/**
 * Sequence number `n` of a stream: 56 decimal digits, like the service's, so that they order as
 * strings as they do as numbers.
 *
 * @param n - From 1.
 * @returns The sequence number.
 */
function sequenceNumber(n: number): string {
  return `49${String(n).padStart(54, '0')}`;
}

/**
 * Compares two sequence numbers as numbers (they may come from a caller, of any length).
 *
 * @param a - A decimal sequence number.
 * @param b - Another.
 * @returns Negative, zero or positive, as `a` is below, equal to or above `b`.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const left = a.replace(/^0+(?=\d)/, '');
  const right = b.replace(/^0+(?=\d)/, '');
  if (left.length !== right.length) return left.length - right.length;
  return left < right ? -1 : left > right ? 1 : 0;
}
