/**
 * The shard scheduler: one per subscription of `toKinesis` with `shardLimit` on. Every batch's
 * records wait here, in a lane per predicted shard, until their shard has room in its budget
 * ({@link ShardLimiter}); requests are planned from whatever may go now, across batches and shards
 * ({@link planShardRequest}), with at most `concurrency` requests in flight; each answer goes back
 * to the batches its records came from, and to the limiter.
 *
 * So a batch waiting for a throttled shard holds no request slot: the records of other shards,
 * from the same batch or later ones, go on. Only the backlog bound (`backlog.maxRecords`, which
 * counts the records waiting here) holds the source back.
 *
 * Without a shard map (before `ListShards` answers, or without permission to call it) records
 * wait in one lane that is never limited: today's sending, still at most `concurrency` requests
 * in flight.
 *
 * @module
 */
import type { EntryOutcome } from './answer.js';
import type { Dispatch, OnAnswer } from './dispatch.js';
import { planShardRequest } from './planner.js';
import type { Ordered, PlannedRequest, RequestLimits, ShardLane } from './planner.js';
import type { SendPutRecords } from './sender.js';
import type { ShardMapCache } from './shardMapCache.js';
import type { ShardLimiter } from './shardLimiter.js';
import { THROTTLED_ERROR_CODE } from '../kinesis/errorCodes.js';
import type { ShardMap } from '../kinesis/shardMap.js';

/**
 * One shard as the limiter sees it, in a {@link toKinesis} `shardLimit.onSnapshot` report.
 *
 * @example
 * ```ts
 * const line = (shard: ShardLimitState) =>
 *   `${shard.shardId} ${shard.engaged ? `${Math.round(shard.recordsPerSecond)} rec/s` : 'open'} waiting=${shard.waitingRecords} throttled=${shard.throttledRecords}`;
 * ```
 * @category Producer
 */
export interface ShardLimitState {
  /** The shard, as `ListShards` names it. */
  readonly shardId: string;
  /** `false`: open, no limit (no throttle from this shard yet); `true`: its records wait for its budget. */
  readonly engaged: boolean;
  /** The budget: records per second this producer lets the shard take (the ceiling while open). */
  readonly recordsPerSecond: number;
  /** The budget: bytes (data plus partition key) per second (the ceiling while open). */
  readonly bytesPerSecond: number;
  /** Kinesis records waiting for this shard's budget now. */
  readonly waitingRecords: number;
  /** Kinesis records accepted by this shard, since the subscription began. */
  readonly acceptedRecords: number;
  /** Kinesis records this shard throttled, since the subscription began. */
  readonly throttledRecords: number;
}

/** The lane of records whose shard is not known (no shard map): never limited. */
const UNPREDICTED = '';

/** While records wait for a budget, requests are planned at most this often: whatever room a tick gives goes in one request, not one per record. */
const DRAIN_INTERVAL_MS = 25;

/** Lanes are compacted once this many planned records sit at their front. */
const COMPACT_AFTER = 1024;

/** One round of one batch: where its records' outcomes go. */
interface Round {
  readonly outcomes: EntryOutcome[];
  /** Records still without an outcome. */
  left: number;
  /** The map its records were predicted with. */
  readonly map: ShardMap | undefined;
  readonly onAnswer: OnAnswer | undefined;
  readonly resolve: (outcomes: EntryOutcome[]) => void;
}

/** A Kinesis record waiting in a lane: its shard, its round and its place in it. */
interface Waiting extends Ordered {
  readonly shardId: string;
  readonly round: Round;
  readonly index: number;
}

/** Records to plan per request in flight, ahead of the requests: below this many waiting for shards that may send, more batches start. */
const READY_REQUESTS_AHEAD = 2;

/** What a scheduler needs. */
export interface ShardSchedulerOptions {
  readonly send: SendPutRecords;
  readonly limiter: ShardLimiter;
  /** The stream's shard map; invalidated when a record lands on another shard than predicted. */
  readonly shardMaps: ShardMapCache;
  readonly limits: RequestLimits;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** The subscription's: aborts the requests in flight and stops the timer. */
  readonly signal: AbortSignal;
  /** Milliseconds, the limiter's clock. Default `performance.now()`. */
  readonly clock?: () => number;
}

/**
 * Holds records until their shard has room, and sends them.
 *
 * @example
 * ```ts
 * const scheduler = new ShardScheduler({ send, limiter, shardMaps, limits: SERVICE_REQUEST_LIMITS, concurrency: 4, signal });
 * const outcomes = await scheduler.dispatch(kinesisRecords, batchSignal); // one per record, in order
 * ```
 */
export class ShardScheduler {
  private readonly lanes = new Map<string, ShardLane<Waiting>>();
  private inFlight = 0;
  private nextOrder = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The map records are predicted with now. */
  private map: ShardMap | undefined;
  /** The last map invalidated because a record landed elsewhere than it predicted (once per map). */
  private invalidated: ShardMap | undefined;
  private readonly clock: () => number;
  /** Records of rounds waiting for the shard map, not yet in a lane. */
  private arriving = 0;
  private readonly listeners = new Set<() => void>();

  /** @param options - Sender, limiter, shard map, limits, concurrency, the subscription's signal. */
  constructor(private readonly options: ShardSchedulerOptions) {
    this.clock = options.clock ?? (() => performance.now());
    options.signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
  }

  /** Sends a round of Kinesis records as their shards' budgets allow: a {@link Dispatch}. */
  readonly dispatch: Dispatch = async (waiting, signal, onAnswer) => {
    if (waiting.length === 0) return [];
    const { shardMaps } = this.options;
    // Rounds enter the lanes in the order they came: behind any still waiting for the map.
    let map = this.arriving === 0 ? shardMaps.peek() : undefined;
    if (map === undefined) {
      this.arriving += waiting.length;
      try {
        map = await shardMaps.get(signal);
      } finally {
        this.arriving -= waiting.length;
      }
    }
    if (map !== this.map) this.adopt(map);
    return new Promise<EntryOutcome[]>((resolve, reject) => {
      const abort = (): void => {
        this.withdraw(round);
        reject(signal.reason);
      };
      const round: Round = {
        outcomes: new Array<EntryOutcome>(waiting.length),
        left: waiting.length,
        map,
        onAnswer,
        resolve: (outcomes) => {
          signal.removeEventListener('abort', abort);
          resolve(outcomes);
        },
      };
      signal.addEventListener('abort', abort, { once: true });
      const entries = waiting.map(
        (outgoing, index): Waiting => ({
          record: outgoing.record,
          order: this.nextOrder++,
          shardId: map === undefined ? UNPREDICTED : map.predict(outgoing.record.partitionKey, outgoing.record.explicitHashKey),
          round,
          index,
        }),
      );
      for (const entry of entries) this.lane(entry.shardId).waiting.push(entry);
      this.pump();
    });
  };

  /**
   * Whether more batches should start: few records wait for shards that may send now (open
   * shards, and those without a shard map), so that requests can be filled; records waiting for
   * an engaged budget do not count, so a throttled shard holds no batch back.
   *
   * @returns `true` when fewer than two requests' worth per request slot wait to be sent.
   */
  ready(): boolean {
    let sendable = this.arriving;
    const { limiter, limits, concurrency } = this.options;
    for (const lane of this.lanes.values()) if (lane.shardId === UNPREDICTED || !limiter.engaged(lane.shardId)) sendable += lane.waiting.length - lane.head;
    return sendable < READY_REQUESTS_AHEAD * concurrency * limits.maxRecords;
  }

  /**
   * Calls `listener` whenever requests were sent or answered (more batches may start).
   *
   * @param listener - Called with no argument.
   * @returns Stops the calls.
   */
  onReady(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Where each shard stands: its budget, and the records waiting for it.
   *
   * @returns One state per shard the limiter knows (the open shards of the map, and any shard records still wait for).
   */
  snapshot(): ShardLimitState[] {
    const { limiter } = this.options;
    return limiter.shardIds().map((shardId) => {
      const lane = this.lanes.get(shardId);
      return { ...limiter.state(shardId), waitingRecords: lane === undefined ? 0 : lane.waiting.length - lane.head };
    });
  }

  /** Sends what may go now, up to `concurrency` requests in flight; then waits for room if records still wait. */
  private pump(): void {
    const { signal, concurrency, limits, limiter } = this.options;
    if (signal.aborted) return;
    while (this.inFlight < concurrency) {
      const request = planShardRequest(this.lanes.values(), (shardId, bytes) => shardId === UNPREDICTED || limiter.take(shardId, bytes), limits);
      if (request === undefined) break;
      void this.send(request);
    }
    this.compact();
    if (this.inFlight < concurrency) this.wakeForRoom();
    for (const listener of this.listeners) listener();
  }

  /** Sends one request, and hands its answer to its records and to the limiter. */
  private async send(request: PlannedRequest<Waiting>): Promise<void> {
    this.inFlight++;
    const sentAt = this.clock();
    let results: EntryOutcome[];
    try {
      results = await this.options.send(request.records, this.options.signal);
    } catch {
      return; // aborted: each batch was rejected by its own signal
    } finally {
      this.inFlight--;
    }
    this.learn(request.outgoing, results, sentAt);
    request.outgoing.forEach((entry, index) => {
      const { round } = entry;
      round.outcomes[entry.index] = results[index]!;
      round.onAnswer?.(entry.index, results[index]!);
      if (--round.left === 0) round.resolve(round.outcomes);
    });
    this.pump();
  }

  /** Tells the limiter what each shard did with its records; a record on an unexpected shard invalidates the map. */
  private learn(sent: readonly Waiting[], results: readonly EntryOutcome[], sentAt: number): void {
    const byShard = new Map<string, { records: number; bytes: number; throttled: number }>();
    sent.forEach(({ shardId, record, round }, index) => {
      if (shardId === UNPREDICTED) return;
      const result = results[index]!;
      let counts = byShard.get(shardId);
      if (counts === undefined) byShard.set(shardId, (counts = { records: 0, bytes: 0, throttled: 0 }));
      if (result.ok) {
        counts.records++;
        counts.bytes += record.bytes;
        if (result.shardId !== shardId) this.staleMap(round.map);
      } else if (result.errorCode === THROTTLED_ERROR_CODE) {
        counts.throttled++;
      }
    });
    const { limiter } = this.options;
    for (const [shardId, { records, bytes, throttled }] of byShard) {
      if (records > 0) limiter.accepted(shardId, records, bytes, sentAt);
      if (throttled > 0) limiter.throttled(shardId, throttled, sentAt);
    }
  }

  /** A record predicted with `map` landed elsewhere: the stream was resharded; list its shards again (once per map). */
  private staleMap(map: ShardMap | undefined): void {
    if (map === undefined || map !== this.map || this.invalidated === map) return;
    this.invalidated = map;
    this.options.shardMaps.invalidate();
  }

  /** Predicts with a new map from now on; the limiter tracks its shards (and those records still wait for). */
  private adopt(map: ShardMap | undefined): void {
    this.map = map;
    if (map === undefined) return;
    const keep = new Set(map.shardIds);
    for (const [shardId, lane] of this.lanes) if (lane.head < lane.waiting.length) keep.add(shardId);
    this.options.limiter.track(keep);
    for (const shardId of this.lanes.keys()) if (!keep.has(shardId)) this.lanes.delete(shardId);
  }

  private lane(shardId: string): ShardLane<Waiting> {
    let lane = this.lanes.get(shardId);
    if (lane === undefined) this.lanes.set(shardId, (lane = { shardId, waiting: [], head: 0 }));
    return lane;
  }

  /** Takes a round's records out of their lanes (their batch was aborted). */
  private withdraw(round: Round): void {
    for (const lane of this.lanes.values()) {
      const kept = lane.waiting.slice(lane.head).filter((entry) => entry.round !== round);
      lane.waiting.splice(0, lane.waiting.length, ...kept);
      lane.head = 0;
    }
  }

  /** Drops the planned records from the front of the lanes. */
  private compact(): void {
    for (const lane of this.lanes.values()) {
      if (lane.head === 0) continue;
      if (lane.head === lane.waiting.length) {
        lane.waiting.length = 0;
        lane.head = 0;
      } else if (lane.head >= COMPACT_AFTER && lane.head * 2 >= lane.waiting.length) {
        lane.waiting.splice(0, lane.head);
        lane.head = 0;
      }
    }
  }

  /** Plans again when the first waiting shard has room (at most every {@link DRAIN_INTERVAL_MS}). */
  private wakeForRoom(): void {
    if (this.timer !== undefined) return;
    let soonest = Infinity;
    for (const lane of this.lanes.values()) {
      const head = lane.waiting[lane.head];
      if (head !== undefined && lane.shardId !== UNPREDICTED) soonest = Math.min(soonest, this.options.limiter.waitMs(lane.shardId, head.record.bytes));
    }
    if (soonest === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(DRAIN_INTERVAL_MS, soonest));
  }
}
