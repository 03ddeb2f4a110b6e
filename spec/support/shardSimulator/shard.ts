/**
 * One shard of the simulator: its hash key range, its place in the stream's history, its write
 * capacity (two token buckets), the records it holds, and its counts over time; and the hash key
 * a record is placed by.
 *
 * Written apart from the library's own shard prediction (`lib/kinesis/shardMap.ts`), so that a
 * mistake there is not copied here and hidden from the tests.
 *
 * @module
 */
import { hash } from 'node:crypto';
import { rateExceededMessage } from './errors.js';
import { TokenBucket } from './tokenBucket.js';

/** Width of one slot of a shard's {@link Timeline}, in milliseconds. */
export const SLOT_MS = 100;

/** What one shard may accept: the refill rates and how many seconds of them its buckets hold. */
export interface ShardCapacity {
  /** Records per second. The service: 1,000. */
  readonly recordsPerSecond: number;
  /** Bytes (data plus partition key, UTF-8) per second. The service: 1 MiB. */
  readonly bytesPerSecond: number;
  /** Seconds of each rate a full bucket holds (the burst). Default 1. */
  readonly burstSeconds: number;
}

/** One accepted record, as the shard keeps it. */
export interface StoredRecord {
  /** Decimal, increasing across the stream. */
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** The explicit hash key it was sent with (the service does not return it on reads; the handle does). */
  readonly explicitHashKey: string | undefined;
  /** The data, base64, as it came in the request. */
  readonly data: string;
  /** Data bytes plus partition key bytes (UTF-8). */
  readonly bytes: number;
  /** When it arrived, in milliseconds since the epoch. */
  readonly arrivalMs: number;
}

/** A 128-bit hash key as 32 lower-case hex digits (ordered as strings as the numbers are). */
const hex128 = (value: bigint): string => value.toString(16).padStart(32, '0');

/**
 * The hash key a record is placed by, as 32 hex digits: its explicit hash key, or else the MD5 of
 * its partition key (UTF-8) read as an unsigned big-endian integer.
 *
 * @param partitionKey - The record's partition key.
 * @param explicitHashKey - Its explicit hash key (decimal, already checked), if any.
 * @returns 32 lower-case hex digits.
 */
export function placementKey(partitionKey: string, explicitHashKey: string | undefined): string {
  return explicitHashKey === undefined ? hash('md5', partitionKey, 'hex') : hex128(BigInt(explicitHashKey));
}

/** Counts per {@link SLOT_MS} slot since the simulator's counters were last reset. */
export class Timeline {
  readonly accepted: number[] = [];
  readonly acceptedBytes: number[] = [];
  readonly throttled: number[] = [];

  /**
   * Counts one record.
   *
   * @param slot - Its slot.
   * @param bytes - Its bytes, or `undefined` when it was throttled.
   */
  count(slot: number, bytes: number | undefined): void {
    while (this.accepted.length <= slot) {
      this.accepted.push(0);
      this.acceptedBytes.push(0);
      this.throttled.push(0);
    }
    if (bytes === undefined) this.throttled[slot]! += 1;
    else {
      this.accepted[slot]! += 1;
      this.acceptedBytes[slot]! += bytes;
    }
  }

  /** Forgets every count. */
  clear(): void {
    this.accepted.length = 0;
    this.acceptedBytes.length = 0;
    this.throttled.length = 0;
  }
}

/** One shard: its range, its place in the stream's history, its buckets and its records. */
export class SimulatedShard {
  /** The accepted records, in sequence order. */
  readonly records: StoredRecord[] = [];
  /** Accepted and throttled records per slot. */
  readonly timeline = new Timeline();
  /** Set when the shard is closed by a split or a merge. */
  endingSequenceNumber: string | undefined;
  /** When it was closed, on the monotonic clock. */
  closedAt: number | undefined;
  /** The JSON entry of a throttled record of this shard, written once. */
  readonly throttledEntry: string;
  readonly startHex: string;
  private readonly recordTokens: TokenBucket;
  private readonly byteTokens: TokenBucket;

  /**
   * @param id - `shardId-000000000000`.
   * @param streamName - The stream's name, for the throttle message.
   * @param account - The account id, for the throttle message.
   * @param start - The first hash key of its range.
   * @param end - The last hash key of its range.
   * @param startingSequenceNumber - No record of it has a lower one.
   * @param parents - The shard it was split from, or the two it was merged from.
   * @param capacity - Its write limits.
   * @param openedAt - When it was created, on the monotonic clock.
   */
  constructor(
    readonly id: string,
    streamName: string,
    account: string,
    readonly start: bigint,
    readonly end: bigint,
    readonly startingSequenceNumber: string,
    readonly parents: { readonly parent?: string; readonly adjacentParent?: string },
    readonly capacity: ShardCapacity,
    readonly openedAt: number,
  ) {
    this.startHex = hex128(start);
    const message = rateExceededMessage(id, streamName, account);
    this.throttledEntry = JSON.stringify({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: message });
    const { recordsPerSecond, bytesPerSecond, burstSeconds } = capacity;
    this.recordTokens = new TokenBucket(recordsPerSecond, Math.max(1, recordsPerSecond * burstSeconds), openedAt);
    this.byteTokens = new TokenBucket(bytesPerSecond, Math.max(1, bytesPerSecond * burstSeconds), openedAt);
  }

  /** Whether the shard takes writes (not split or merged away). */
  get open(): boolean {
    return this.endingSequenceNumber === undefined;
  }

  /**
   * Takes one record's tokens when both buckets have them.
   *
   * @param bytes - The record's data plus partition key bytes.
   * @param now - The time, on the monotonic clock.
   * @returns `true` when the record is within the shard's limits (its tokens are taken), `false` when it is throttled.
   */
  admit(bytes: number, now: number): boolean {
    this.recordTokens.refill(now);
    this.byteTokens.refill(now);
    if (!this.recordTokens.canTake(1) || !this.byteTokens.canTake(bytes)) return false;
    this.recordTokens.take(1);
    this.byteTokens.take(bytes);
    return true;
  }
}
