/**
 * One call shared by every caller that comes while it runs, and kept once it has succeeded: the
 * shard map and the stream's record limit are each asked once per subscription this way.
 *
 * @module
 */

/**
 * A call made once for all its callers. A caller whose signal aborts the call gets the abort, and
 * the call is dropped: the next caller starts another.
 *
 * @example
 * ```ts
 * const limit = new SharedCall((signal) => describeMaxRecordBytes(client, target, signal));
 * const [a, b] = await Promise.all([limit.get(signal), limit.get(signal)]); // one DescribeStreamSummary
 * ```
 */
export class SharedCall<T> {
  private current: Promise<T> | undefined;
  private value: { readonly of: T } | undefined;

  /** @param start - Makes the call. */
  constructor(private readonly start: (signal: AbortSignal) => Promise<T>) {}

  /**
   * The call's value: the call in progress, or the one that succeeded; starts it if there is none.
   *
   * @param signal - Aborts the call (when it is this caller's).
   * @returns What the call resolved with.
   * @throws What the call threw (then it is dropped).
   */
  async get(signal: AbortSignal): Promise<T> {
    const pending = (this.current ??= this.start(signal));
    try {
      const value = await pending;
      if (this.current === pending) this.value = { of: value };
      return value;
    } catch (error) {
      if (this.current === pending) this.current = undefined;
      throw error;
    }
  }

  /**
   * The value of the call that succeeded, if it is still kept.
   *
   * @returns The value; `undefined` before the call has succeeded, or once dropped.
   */
  peek(): T | undefined {
    return this.value?.of;
  }

  /** Drops the call and its value: the next caller starts another. */
  drop(): void {
    this.current = undefined;
    this.value = undefined;
  }
}
