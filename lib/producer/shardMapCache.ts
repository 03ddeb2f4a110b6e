/**
 * The producer's view of the stream's shards: a {@link ShardMap} listed once per subscription,
 * listed again after a reshard, and done without (with one warning) while listing fails.
 *
 * @module
 */
import type { Shard } from '@aws-sdk/client-kinesis';
import { ShardMap } from '../kinesis/shardMap.js';
import { errorCodeOf, STREAM_NOT_FOUND_ERROR_CODE } from '../kinesis/errorCodes.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { SharedCall } from '../shared/sharedCall.js';

/** After a failed `ListShards`, the shards are listed again this much later (a transient failure does not last). */
const LIST_AGAIN_AFTER_FAILURE_MS = 60_000;

/** What a producer does without a shard map, for the one warning. */
export interface WithoutMap {
  /** What it does meanwhile ("sending without per-shard budgets"). */
  readonly doing: string;
  /** No warning when the stream does not exist (the records sent to it say so). */
  readonly quietIfNoStream: boolean;
}

/**
 * A stream's {@link ShardMap}, fetched once on first use and again after {@link ShardMapCache.invalidate}
 * (a reshard was seen). When listing fails (for example without `kinesis:ListShards`), it answers
 * `undefined` for a minute, then lists again, and says once at `warn` what callers do meanwhile
 * (aggregation groups by key; the shard limiter sends without limits).
 *
 * @example
 * ```ts
 * const shardMaps = new ShardMapCache((signal) => listShards(client, target, signal), logger, 'events');
 * const map = await shardMaps.get(signal); // undefined: predict nothing
 * ```
 */
export class ShardMapCache {
  /** The listing, shared by its callers. */
  private readonly listing = new SharedCall((signal) => this.fetch(signal));
  /** After a failed listing: when to list again (`clock()` time); `undefined` while listing works. */
  private unavailableUntil: number | undefined;
  private warned = false;

  /**
   * @param list - Lists every shard of the stream.
   * @param logger - Where the one warning goes.
   * @param streamName - The stream, for the warning.
   * @param clock - Milliseconds, for when to list again after a failure.
   * @param withoutMap - What the producer does without the map, for the warning; and whether a
   *   missing stream goes without it (every record sent to it is reported failed anyway).
   */
  constructor(
    private readonly list: (signal: AbortSignal) => Promise<Shard[]>,
    private readonly logger: Logger,
    private readonly streamName: string,
    private readonly clock: () => number = () => performance.now(),
    private readonly withoutMap: WithoutMap = { doing: 'aggregating only records with the same partition key and explicit hash key', quietIfNoStream: false },
  ) {}

  /**
   * The shard map, fetched if needed (callers at the same time share one `ListShards`).
   *
   * @param signal - Aborts the listing.
   * @returns The map; `undefined` when shards cannot be listed.
   * @throws Only when `signal` is aborted.
   */
  async get(signal: AbortSignal): Promise<ShardMap | undefined> {
    if (this.unavailableUntil !== undefined) {
      if (this.clock() < this.unavailableUntil) return undefined;
      this.unavailableUntil = undefined;
      this.listing.drop();
    }
    return this.listing.get(signal); // aborted: the next caller lists again
  }

  /**
   * The map, when it is known now: no listing is pending or needed.
   *
   * @returns The map; `undefined` when it must be fetched (or cannot be).
   */
  peek(): ShardMap | undefined {
    return this.listing.peek();
  }

  /** Forgets the map: the next {@link ShardMapCache.get} lists the shards again. */
  invalidate(): void {
    if (this.unavailableUntil === undefined) this.listing.drop();
  }

  private async fetch(signal: AbortSignal): Promise<ShardMap | undefined> {
    try {
      const map = ShardMap.fromShards(await this.list(signal));
      if (map === undefined) throw new Error('no open shard');
      return map;
    } catch (error) {
      if (signal.aborted) throw error;
      this.unavailableUntil = this.clock() + LIST_AGAIN_AFTER_FAILURE_MS;
      // A missing stream is reported on every record sent to it: no warning about the map.
      if (!this.warned && !(this.withoutMap.quietIfNoStream && errorCodeOf(error) === STREAM_NOT_FOUND_ERROR_CODE)) {
        this.warned = true;
        this.logger.warn(
          `cannot list the shards of stream '${this.streamName}' (${messageOf(error)}); ${this.withoutMap.doing} until listing works (allow kinesis:ListShards)`,
        );
      }
      return undefined;
    }
  }
}
