/**
 * A token bucket refilled continuously by elapsed time: the shape of one shard write limit (its
 * records per second, or its bytes per second).
 *
 * @module
 */

/**
 * A bucket of `capacity` tokens, full at first, refilled at `ratePerSecond` up to `capacity`.
 *
 * A cost up to the capacity is taken when that many tokens are there. A cost above the capacity
 * (a record larger than the byte burst) is taken when the bucket is full, and leaves it below
 * zero: the debt is paid back by the refill before anything else is taken, so the long-run rate
 * stays `ratePerSecond` whatever the sizes.
 *
 * @example
 * ```ts
 * const records = new TokenBucket(1_000, 1_000, performance.now());
 * records.refill(performance.now());
 * if (records.canTake(1)) records.take(1);
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSecond - Tokens added per second.
   * @param capacity - The most tokens the bucket holds (the burst).
   * @param now - The current time, in milliseconds (any monotonic clock, used again in {@link refill}).
   */
  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /**
   * Adds the tokens earned since the last refill.
   *
   * @param now - The current time, in milliseconds, on the clock given to the constructor.
   */
  refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
  }

  /**
   * Whether `cost` tokens can be taken now (as of the last refill).
   *
   * @param cost - The tokens wanted.
   * @returns `true` when the bucket holds `cost` tokens, or is full for a cost above its capacity.
   */
  canTake(cost: number): boolean {
    return this.tokens >= Math.min(cost, this.capacity);
  }

  /**
   * Takes `cost` tokens (after {@link canTake} said yes); the bucket may go below zero.
   *
   * @param cost - The tokens taken.
   */
  take(cost: number): void {
    this.tokens -= cost;
  }

  /** The tokens in the bucket as of the last refill (below zero while a large record's debt is paid). */
  get level(): number {
    return this.tokens;
  }
}
