/**
 * Per-shard rate limiting: for each predicted shard, a budget of records and bytes per second
 * (two token buckets) that follows the service's answers. Pure: time comes from a clock passed in,
 * and nothing here sends, waits or schedules.
 *
 * A shard's budget starts **open** (no limit: against a stream that never throttles, sending is
 * as fast as without the limiter) and is **engaged** by the shard's first throttle. Engaged, it
 * follows AIMD on its share of the ceiling (`shardLimit.recordsPerSecond` and `bytesPerSecond`,
 * by default the service's 1,000 records/s and 1 MiB/s per shard):
 *
 * - on a throttle of a record sent after the last cut, the share is multiplied by
 *   {@link SHARD_LIMIT_AIMD}`.decrease` (0.8), at most once per round trip (throttles of records
 *   sent before the cut say nothing new), and the buckets are emptied (the shard's own bucket is
 *   empty too: no burst);
 * - each record accepted adds to the share what one second of sending at the budget would add,
 *   `increasePerSecond` (0.1) in all: the budget grows linearly while sends succeed, back to the
 *   ceiling in about 2 s after a cut when alone;
 * - the share never falls under `minShare` (5%), so a producer never stops.
 *
 * An engaged budget **reopens** ({@link ShardLimiter.reopenQuiet}) once its shard has gone
 * `reopenAfterSeconds` (10 s) without a throttle in which its budget never held a record back:
 * the producer's demand on it has fallen under the budget (a hot key cooled, the other producers
 * left), and a budget no longer needed costs CPU on every record (the shard scheduler predicts
 * records' shards only while some budget is engaged). A budget that held records back stays
 * engaged, whatever the share: reopening it would only bring the throttles back. A reopened shard
 * engages again on its next throttle.
 *
 * Several producers that share a shard (each with its own limiter) each see throttles in
 * proportion to what they send, cut, and grow back by the same amount per second: AIMD converges
 * on fair shares. The ceiling keeps a lone producer from ever sending over the shard's limit, so
 * that once engaged it is not throttled at all in steady state.
 *
 * @module
 */

/** The most a shard's budget allows, per second: the ceiling AIMD grows back to. */
export interface ShardCeiling {
  readonly recordsPerSecond: number;
  /** Data plus partition key bytes. */
  readonly bytesPerSecond: number;
}

/** How a shard's budget follows the answers. */
export interface AimdParameters {
  /** The share of the ceiling is multiplied by this on a throttle (once per round trip). */
  readonly decrease: number;
  /** The share grows by this much per second of records accepted at the budget. */
  readonly increasePerSecond: number;
  /** The share never falls under this. */
  readonly minShare: number;
  /** The buckets hold this many seconds of the budget: the most sent at once after a pause. */
  readonly burstSeconds: number;
  /** An engaged budget reopens after this many seconds without a throttle in which it held no record back. */
  readonly reopenAfterSeconds: number;
}

/**
 * The limiter's AIMD parameters: a throttle cuts a shard's budget to 0.8 of what it was (once per
 * round trip); records accepted grow it back by 10% of the ceiling per second of sending; the
 * budget never falls under 5% of the ceiling; the buckets hold 0.2 s of the budget; a budget
 * reopens after 10 s without a throttle in which it held no record back.
 */
export const SHARD_LIMIT_AIMD: AimdParameters = { decrease: 0.8, increasePerSecond: 0.1, minShare: 0.05, burstSeconds: 0.2, reopenAfterSeconds: 10 };


/** What the limiter says about one shard. */
export interface ShardBudgetState {
  readonly shardId: string;
  /** `false`: open, no limit (no throttle seen yet, or reopened); `true`: records wait for the budget. */
  readonly engaged: boolean;
  /** The budget: records per second (the ceiling while open). */
  readonly recordsPerSecond: number;
  /** The budget: bytes per second (the ceiling while open). */
  readonly bytesPerSecond: number;
  /** Records of this shard accepted, since the limiter was made. */
  readonly acceptedRecords: number;
  /** Records of this shard throttled, since the limiter was made. */
  readonly throttledRecords: number;
}

/** One shard's budget and buckets. */
class ShardBudget {
  engaged = false;
  share = 1;
  records = 0;
  bytes = 0;
  refilledAt: number;
  /** When the share was last cut (or the budget engaged): throttles of records sent before say nothing new. */
  cutAt = -Infinity;
  acceptedRecords = 0;
  throttledRecords = 0;
  /** While engaged: when the current quiet window began, and whether the budget has held a record back since. */
  windowStart = 0;
  heldBack = false;

  constructor(now: number) {
    this.refilledAt = now;
  }
}

/**
 * The budgets of a stream's shards, as one producer sees them.
 *
 * @example
 * ```ts
 * const limiter = new ShardLimiter({ recordsPerSecond: 1_000, bytesPerSecond: 1_048_576 });
 * if (limiter.take('shardId-000000000000', record.bytes)) send(record);
 * else setTimeout(retry, limiter.waitMs('shardId-000000000000', record.bytes));
 * ```
 */
export class ShardLimiter {
  private readonly shards = new Map<string, ShardBudget>();
  /** Budgets engaged now. */
  private engagedBudgets = 0;

  /**
   * @param ceiling - The most one shard's budget allows.
   * @param clock - Milliseconds (`performance.now()` by default).
   * @param aimd - How budgets follow the answers.
   */
  constructor(
    private readonly ceiling: ShardCeiling,
    private readonly clock: () => number = () => performance.now(),
    private readonly aimd: AimdParameters = SHARD_LIMIT_AIMD,
  ) {}

  /**
   * Takes room for one record on a shard, if there is room now. An open shard always has room. A
   * record larger than the byte bucket passes when the bucket is full, and leaves it in debt.
   *
   * @param shardId - The record's predicted shard.
   * @param bytes - Its data plus partition key bytes.
   * @returns `true` when the record may be sent now (its room is taken).
   */
  take(shardId: string, bytes: number): boolean {
    const budget = this.budget(shardId);
    if (!budget.engaged) return true;
    this.refill(budget);
    if (budget.records < 1 || budget.bytes < Math.min(bytes, this.capacity(budget).bytes)) {
      budget.heldBack = true;
      return false;
    }
    budget.records -= 1;
    budget.bytes -= bytes;
    return true;
  }

  /**
   * How long until a record fits on a shard.
   *
   * @param shardId - The record's predicted shard.
   * @param bytes - Its data plus partition key bytes.
   * @returns Milliseconds; 0 when it fits now (or the shard is open).
   */
  waitMs(shardId: string, bytes: number): number {
    const budget = this.budget(shardId);
    if (!budget.engaged) return 0;
    this.refill(budget);
    const { records, bytes: byteRate } = this.rates(budget);
    const recordWait = Math.max(0, 1 - budget.records) / records;
    const byteWait = Math.max(0, Math.min(bytes, this.capacity(budget).bytes) - budget.bytes) / byteRate;
    return 1000 * Math.max(recordWait, byteWait);
  }

  /**
   * Records of a shard were accepted: an engaged budget grows.
   *
   * @param shardId - The shard they were predicted to.
   * @param records - How many.
   * @param bytes - Their data plus partition key bytes.
   * @param sentAt - When their request was sent (`clock()` time).
   */
  accepted(shardId: string, records: number, bytes: number, sentAt: number): void {
    const budget = this.budget(shardId);
    budget.acceptedRecords += records;
    if (!budget.engaged || sentAt < budget.cutAt) return;
    this.refill(budget);
    const secondsAtCeiling = Math.max(records / this.ceiling.recordsPerSecond, bytes / this.ceiling.bytesPerSecond);
    budget.share = Math.min(1, budget.share + (this.aimd.increasePerSecond * secondsAtCeiling) / budget.share);
  }

  /**
   * Records of a shard were throttled: the budget is engaged (the first time) or cut (once per
   * round trip: not for records sent before the last cut).
   *
   * @param shardId - The shard they were predicted to.
   * @param records - How many.
   * @param sentAt - When their request was sent (`clock()` time).
   */
  throttled(shardId: string, records: number, sentAt: number): void {
    const budget = this.budget(shardId);
    budget.throttledRecords += records;
    if (budget.engaged && sentAt < budget.cutAt) return;
    const now = this.clock();
    budget.share = budget.engaged ? Math.max(this.aimd.minShare, budget.share * this.aimd.decrease) : this.aimd.decrease;
    if (!budget.engaged) this.engagedBudgets++;
    budget.engaged = true;
    budget.cutAt = now;
    budget.windowStart = now;
    budget.heldBack = false;
    budget.refilledAt = now;
    budget.records = Math.min(budget.records, 0);
    budget.bytes = Math.min(budget.bytes, 0);
  }

  /**
   * Whether a shard's budget is engaged (its records wait for it).
   *
   * @param shardId - The shard.
   * @returns `false` while it is open.
   */
  engaged(shardId: string): boolean {
    return this.shards.get(shardId)?.engaged === true;
  }

  /**
   * Whether any shard's budget is engaged.
   *
   * @returns `false` while every shard is open (nothing is limited).
   */
  anyEngaged(): boolean {
    return this.engagedBudgets > 0;
  }

  /**
   * Reopens the engaged budgets no longer needed: those that went `reopenAfterSeconds` without a
   * throttle and without holding a record back ({@link ShardLimiter.take} refused none). Call it now and then (each
   * engaged budget's quiet window is checked once it is over, and a new one begins).
   *
   * @returns How many budgets are still engaged.
   */
  reopenQuiet(): number {
    if (this.engagedBudgets === 0) return 0;
    const now = this.clock();
    const windowMs = 1000 * this.aimd.reopenAfterSeconds;
    for (const budget of this.shards.values()) {
      if (!budget.engaged || now - budget.windowStart < windowMs) continue;
      // A cut starts a new window: this one saw no throttle.
      if (!budget.heldBack) {
        budget.engaged = false;
        budget.share = 1;
        this.engagedBudgets--;
      }
      budget.windowStart = now;
      budget.heldBack = false;
    }
    return this.engagedBudgets;
  }

  /**
   * What the limiter knows of a shard.
   *
   * @param shardId - The shard.
   * @returns Its state.
   */
  state(shardId: string): ShardBudgetState {
    const budget = this.budget(shardId);
    const { records, bytes } = this.rates(budget);
    return { shardId, engaged: budget.engaged, recordsPerSecond: records, bytesPerSecond: bytes, acceptedRecords: budget.acceptedRecords, throttledRecords: budget.throttledRecords };
  }

  /** The shards the limiter knows, in the order it met them. */
  shardIds(): string[] {
    return [...this.shards.keys()];
  }

  /**
   * Tracks exactly these shards (a new shard map): forgets the others (closed by a reshard), and
   * starts the new ones open.
   *
   * @param shardIds - The shards to track.
   */
  track(shardIds: ReadonlySet<string>): void {
    for (const [shardId, budget] of this.shards) {
      if (shardIds.has(shardId)) continue;
      if (budget.engaged) this.engagedBudgets--;
      this.shards.delete(shardId);
    }
    for (const shardId of shardIds) this.budget(shardId);
  }

  private budget(shardId: string): ShardBudget {
    let budget = this.shards.get(shardId);
    if (budget === undefined) {
      budget = new ShardBudget(this.clock());
      this.shards.set(shardId, budget);
    }
    return budget;
  }

  /** The budget's rates (the ceiling while open). */
  private rates(budget: ShardBudget): { records: number; bytes: number } {
    const share = budget.engaged ? budget.share : 1;
    return { records: this.ceiling.recordsPerSecond * share, bytes: this.ceiling.bytesPerSecond * share };
  }

  /** What the buckets hold at most: `burstSeconds` of the budget, and at least one record. */
  private capacity(budget: ShardBudget): { records: number; bytes: number } {
    const { records, bytes } = this.rates(budget);
    return { records: Math.max(1, records * this.aimd.burstSeconds), bytes: bytes * this.aimd.burstSeconds };
  }

  private refill(budget: ShardBudget): void {
    const now = this.clock();
    const seconds = Math.max(0, now - budget.refilledAt) / 1000;
    budget.refilledAt = now;
    const { records, bytes } = this.rates(budget);
    const capacity = this.capacity(budget);
    budget.records = Math.min(capacity.records, budget.records + records * seconds);
    budget.bytes = Math.min(capacity.bytes, budget.bytes + bytes * seconds);
  }
}
