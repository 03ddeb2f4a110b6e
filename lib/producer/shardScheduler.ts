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
 * Two paths. While every shard's budget is open (always against an endpoint that never throttles,
 * such as the emulators), nothing is predicted: rounds wait in one queue, in order, and are planned
 * into requests as they come ({@link planQueuedRequest}), at the cost of sending without a
 * limiter. The answers still teach the limiter: records accepted count for the shard the answer
 * names, a throttled record's shard is predicted then (rare), and a shard the map does not know
 * means the stream was resharded (the map is listed again). Once a shard's budget is engaged,
 * every record is predicted and waits in its shard's lane (what is still queued moves to the lanes
 * first); once every budget has reopened ({@link ShardLimiter.reopenQuiet}), new rounds take the
 * queue again.
 *
 * Without a shard map (before `ListShards` answers, or without permission to call it) nothing can
 * be predicted: records that would be laned wait in one lane that is never limited: today's
 * sending, still at most `concurrency` requests in flight.
 *
 * @module
 */
import type { EntryOutcome } from './answer.js';
import type { Dispatch, OnAnswer } from './dispatch.js';
import { planQueuedRequest, planShardRequest } from './planner.js';
import type { Ordered, Outgoing, PlannedSlice, QueuedRound, RequestLimits, ShardLane } from './planner.js';
import type { AcceptedRecord } from './prepareRecord.js';
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
  /** `false`: open, no limit (no throttle from this shard yet, or reopened after a quiet while); `true`: its records wait for its budget. */
  readonly engaged: boolean;
  /** The budget: records per second this producer lets the shard take (the ceiling while open). */
  readonly recordsPerSecond: number;
  /** The budget: bytes (data plus partition key) per second (the ceiling while open). */
  readonly bytesPerSecond: number;
  /** Kinesis records waiting for this shard's budget now (while every budget is open, records are not sorted by shard: 0). */
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

/** A round waiting in the queue while every budget is open: its records, not predicted. */
interface Queued extends QueuedRound {
  readonly round: Round;
}

/** A request sent: its records, where their outcomes go (lane by lane, or slices of queued rounds), and the map it was planned with. */
interface SentRequest {
  readonly records: readonly AcceptedRecord<unknown>[];
  readonly laned?: readonly Waiting[];
  readonly slices?: readonly PlannedSlice<Queued>[];
  readonly map: ShardMap | undefined;
}

/** What one answer says of one shard. */
interface ShardCounts {
  records: number;
  bytes: number;
  throttled: number;
}

/** Throttles seen before the shard map was known: applied once it is (at most this many kept). */
const PENDING_THROTTLES_KEPT = 10_000;

/** While some budget is engaged, the limiter is asked to reopen the quiet ones at most this often. */
const REOPEN_CHECK_INTERVAL_MS = 1_000;

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

/** One record's outcome, to its round; the round resolves with its last. */
function settle(round: Round, index: number, outcome: EntryOutcome): void {
  round.outcomes[index] = outcome;
  round.onAnswer?.(index, outcome);
  if (--round.left === 0) round.resolve(round.outcomes);
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
  /** Whether records are predicted and laned (some budget is engaged), or queued in order (every budget open). */
  private predicting = false;
  /** Rounds queued while every budget is open, oldest first. */
  private readonly queue: Queued[] = [];
  /** Records in `queue` not yet planned. */
  private queuedRecords = 0;
  /** A background `ListShards` is pending (for the queue path, which does not wait for the map). */
  private listing = false;
  /** Throttled records whose shard could not be predicted yet (no map): applied when the map comes. */
  private pendingThrottles: { record: AcceptedRecord<unknown>; sentAt: number }[] = [];
  private reopenCheckedAt = -Infinity;

  /** @param options - Sender, limiter, shard map, limits, concurrency, the subscription's signal. */
  constructor(private readonly options: ShardSchedulerOptions) {
    this.clock = options.clock ?? (() => performance.now());
    options.signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
  }

  /** Sends a round of Kinesis records as their shards' budgets allow: a {@link Dispatch}. */
  readonly dispatch: Dispatch = async (waiting, signal, onAnswer) => {
    if (waiting.length === 0) return [];
    let map: ShardMap | undefined;
    if (this.predicting) {
      const { shardMaps } = this.options;
      // Rounds enter the lanes in the order they came: behind any still waiting for the map.
      map = this.arriving === 0 ? shardMaps.peek() : undefined;
      if (map === undefined) {
        this.arriving += waiting.length;
        try {
          map = await shardMaps.get(signal);
        } finally {
          this.arriving -= waiting.length;
        }
      }
      if (map !== this.map) this.adopt(map);
    } else {
      this.followMap();
    }
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
      if (this.predicting) this.laneRecords(round, waiting, 0, map);
      else {
        this.queue.push({ round, waiting, next: 0 });
        this.queuedRecords += waiting.length;
      }
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
    let sendable = this.arriving + this.queuedRecords;
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

  /** Whether some shard's budget is engaged: records may then wait for their shard, not only for a request slot. */
  get engaged(): boolean {
    return this.predicting;
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

  /** Sends what may go now, up to `concurrency` requests in flight (laned records first: they are older); then waits for room if records still wait. */
  private pump(): void {
    const { signal, concurrency, limits, limiter } = this.options;
    if (signal.aborted) return;
    while (this.inFlight < concurrency) {
      const laned = planShardRequest(this.lanes.values(), (shardId, bytes) => shardId === UNPREDICTED || limiter.take(shardId, bytes), limits);
      if (laned !== undefined) {
        void this.send({ records: laned.records, laned: laned.outgoing, map: this.map });
        continue;
      }
      const queued = planQueuedRequest(this.queue, limits);
      if (queued === undefined) break;
      this.queuedRecords -= queued.records.length;
      void this.send({ records: queued.records, slices: queued.slices, map: this.map });
    }
    this.compact();
    if (this.inFlight < concurrency) this.wakeForRoom();
    for (const listener of this.listeners) listener();
  }

  /** Sends one request, and hands its answer to its records and to the limiter. */
  private async send(request: SentRequest): Promise<void> {
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
    this.learn(request, results, sentAt);
    if (request.laned !== undefined) {
      request.laned.forEach((entry, index) => settle(entry.round, entry.index, results[index]!));
    } else {
      let index = 0;
      for (const { queued, start, end } of request.slices!) for (let position = start; position < end; position++) settle(queued.round, position, results[index++]!);
    }
    this.followLimiter();
    this.pump();
  }

  /**
   * Tells the limiter what each shard did with the records of a request: records accepted count
   * for the shard the answer names; a throttled record for its predicted shard (predicted now if
   * it was queued without prediction). An answer naming a shard the request's map does not know
   * means the stream was resharded: the map is listed again.
   */
  private learn(request: SentRequest, results: readonly EntryOutcome[], sentAt: number): void {
    const { map, records, laned } = request;
    if (map === undefined && this.map === undefined && !this.listing) return; // no map, none coming: nothing to limit
    const byShard = new Map<string, ShardCounts>();
    const counts = (shardId: string): ShardCounts => {
      let shard = byShard.get(shardId);
      if (shard === undefined) byShard.set(shardId, (shard = { records: 0, bytes: 0, throttled: 0 }));
      return shard;
    };
    // Records of one shard often come in runs: one lookup per run.
    let lastShardId: string | undefined;
    let last: ShardCounts | undefined;
    for (let index = 0; index < results.length; index++) {
      const result = results[index]!;
      if (result.ok) {
        if (last === undefined || lastShardId !== result.shardId) last = counts((lastShardId = result.shardId));
        last.records++;
        last.bytes += records[index]!.bytes;
      } else if (result.errorCode === THROTTLED_ERROR_CODE) {
        const shardId = laned === undefined ? this.predict(records[index]!, sentAt) : laned[index]!.shardId;
        if (shardId !== undefined && shardId !== UNPREDICTED) counts(shardId).throttled++;
      }
    }
    const { limiter } = this.options;
    for (const [shardId, shard] of byShard) {
      if (shard.records > 0) {
        if (this.map?.has(shardId) === true) limiter.accepted(shardId, shard.records, shard.bytes, sentAt);
        else this.staleMap(map);
      }
      if (shard.throttled > 0) limiter.throttled(shardId, shard.throttled, sentAt);
    }
  }

  /** The shard of a throttled record that was queued without prediction; without a map yet, it waits for the map (`undefined`). */
  private predict(record: AcceptedRecord<unknown>, sentAt: number): string | undefined {
    if (this.map !== undefined) return this.map.predict(record.partitionKey, record.explicitHashKey);
    if (this.listing && this.pendingThrottles.length < PENDING_THROTTLES_KEPT) this.pendingThrottles.push({ record, sentAt });
    return undefined;
  }

  /** Switches paths as the limiter says: to the lanes when a budget is engaged (what is queued is laned first), back to the queue when all have reopened. */
  private followLimiter(): void {
    const { limiter } = this.options;
    if (this.predicting) {
      const now = this.clock();
      if (now - this.reopenCheckedAt < REOPEN_CHECK_INTERVAL_MS) return;
      this.reopenCheckedAt = now;
      if (limiter.reopenQuiet() === 0) this.predicting = false;
    } else if (limiter.anyEngaged()) {
      this.predicting = true;
      this.reopenCheckedAt = this.clock();
      for (const queued of this.queue.splice(0)) this.laneRecords(queued.round, queued.waiting, queued.next, this.map);
      this.queuedRecords = 0;
    }
  }

  /** On the queue path: takes up the map when it is known, and lists the shards in the background when it is not (nothing waits for it). */
  private followMap(): void {
    const known = this.options.shardMaps.peek();
    if (known !== undefined) {
      if (known !== this.map) this.adopt(known);
      return;
    }
    if (this.listing) return;
    this.listing = true;
    this.options.shardMaps.get(this.options.signal).then(
      (map) => {
        this.listing = false;
        if (map !== this.map) this.adopt(map);
        const pending = this.pendingThrottles;
        this.pendingThrottles = [];
        if (map === undefined || pending.length === 0) return;
        for (const { record, sentAt } of pending) this.options.limiter.throttled(map.predict(record.partitionKey, record.explicitHashKey), 1, sentAt);
        this.followLimiter();
        this.pump();
      },
      () => {
        this.listing = false; // aborted: the subscription is over
      },
    );
  }

  /** Puts a round's records from `from` on in the lanes of their predicted shards (one lane, never limited, without a map). */
  private laneRecords(round: Round, waiting: readonly Outgoing[], from: number, map: ShardMap | undefined): void {
    for (let index = from; index < waiting.length; index++) {
      const { record } = waiting[index]!;
      const shardId = map === undefined ? UNPREDICTED : map.predict(record.partitionKey, record.explicitHashKey);
      this.lane(shardId).waiting.push({ record, order: this.nextOrder++, shardId, round, index });
    }
  }

  /** A record sent with `map` landed on a shard it does not know: the stream was resharded; list its shards again (once per map). */
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

  /** Takes a round's records out of their lanes and the queue (their batch was aborted). */
  private withdraw(round: Round): void {
    const queuedAt = this.queue.findIndex((queued) => queued.round === round);
    if (queuedAt >= 0) {
      const [queued] = this.queue.splice(queuedAt, 1);
      this.queuedRecords -= queued!.waiting.length - queued!.next;
    }
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
