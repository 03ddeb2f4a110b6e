/**
 * Per-key ordering (`ordering: 'key'`): the rule that keeps each partition key's records in the
 * order they entered `toKinesis`, whatever fails and is retried. Every accepted record enters its
 * key's queue when it is let into the backlog; only the oldest unsettled record of a key (its
 * **head**) may be sent, and the next one only once the head has its final outcome. Delivery
 * (`delivery.ts`) asks {@link KeyOrder.turn} before sending a record, and settles records here as
 * they get their final outcomes; records of one key that travel together inside one KPL aggregate
 * (which succeeds or fails as a whole) are the one exception, decided by delivery.
 *
 * Records of different keys never wait for each other here: each key has its own queue.
 *
 * @module
 */

/** What happens to the records of a key queued behind a record that failed for good. */
export type AfterFailure = 'send' | 'fail';

/** Where a record stands in its key's queue. */
export type Turn =
  /** The oldest unsettled record of its key: it may be sent. */
  | 'go'
  /** An older record of its key is still unsettled. */
  | 'wait'
  /** Its turn came, but an older record of its key failed for good while it waited (`afterFailure: 'fail'`): it must fail too. */
  | 'fail';

/** One key's unsettled records, oldest first from `head`. */
interface KeyQueue {
  readonly records: object[];
  head: number;
  /** How many records from `head` on are to fail because an older one failed for good. */
  doomed: number;
}

/** Queues are compacted once this many settled records sit at their front. */
const COMPACT_AFTER = 256;

/**
 * The per-key queues of one subscription of `toKinesis`.
 *
 * @example
 * ```ts
 * const order = new KeyOrder('send');
 * order.enter(first, 'customer-1');
 * order.enter(second, 'customer-1');
 * order.turn(second, 'customer-1'); // 'wait'
 * order.settle(first, 'customer-1', true); // written
 * order.turn(second, 'customer-1'); // 'go'
 * ```
 */
export class KeyOrder {
  private readonly queues = new Map<string, KeyQueue>();
  private changed: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  private notifying = false;

  /** @param afterFailure - `'send'`: a key's later records go on after one fails for good; `'fail'`: those already queued fail with `PrecedingRecordFailed`. */
  constructor(private readonly afterFailure: AfterFailure) {}

  /** Records entered and not yet settled, over every key. */
  get size(): number {
    let size = 0;
    for (const queue of this.queues.values()) size += queue.records.length - queue.head;
    return size;
  }

  /**
   * Queues a record behind the earlier records of its key: called in the order records enter.
   *
   * @param record - The record (its identity is its ticket).
   * @param key - Its partition key.
   */
  enter(record: object, key: string): void {
    const queue = this.queues.get(key);
    if (queue === undefined) this.queues.set(key, { records: [record], head: 0, doomed: 0 });
    else queue.records.push(record);
  }

  /**
   * Whether a record may be sent now.
   *
   * @param record - A record entered with {@link KeyOrder.enter}.
   * @param key - Its partition key.
   * @returns `'go'` for the head of its key, `'fail'` for a head that is to fail, else `'wait'`.
   */
  turn(record: object, key: string): Turn {
    const queue = this.queues.get(key);
    if (queue === undefined || queue.records[queue.head] !== record) return 'wait';
    return queue.doomed > 0 ? 'fail' : 'go';
  }

  /**
   * Settles a record: it has its final outcome. When it is the head of its key (as delivery
   * ensures), the next record of the key becomes the head; with `afterFailure: 'fail'`, a failure
   * (not itself the consequence of one) dooms the records queued behind it now (records that
   * enter later are sent as usual).
   *
   * @param record - The record settled.
   * @param key - Its partition key.
   * @param written - Whether it was written.
   */
  settle(record: object, key: string, written: boolean): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    if (queue.records[queue.head] !== record) {
      // Not the head (a record settled without being sent: its batch was cut short): drop it where it is.
      const at = queue.records.indexOf(record, queue.head);
      if (at >= 0) queue.records.splice(at, 1);
    } else {
      queue.head++;
      if (queue.doomed > 0) queue.doomed--;
      else if (!written && this.afterFailure === 'fail') queue.doomed = queue.records.length - queue.head;
    }
    if (queue.head === queue.records.length) this.queues.delete(key);
    else if (queue.head >= COMPACT_AFTER && queue.head * 2 >= queue.records.length) {
      queue.records.splice(0, queue.head);
      queue.head = 0;
    }
    this.notify();
  }

  /**
   * Resolves after the next {@link KeyOrder.settle} (once per tick, however many records were
   * settled), after `timeoutMs`, or when `signal` aborts, whichever comes first.
   *
   * @param signal - Stops the wait.
   * @param timeoutMs - The longest wait. Default: no limit.
   * @returns Resolves with nothing.
   */
  async next(signal: AbortSignal, timeoutMs = Infinity): Promise<void> {
    if (this.changed === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.changed = { promise, resolve };
    }
    if (signal.aborted) return;
    let onAbort!: () => void;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ends = [this.changed.promise, new Promise<void>((done) => signal.addEventListener('abort', (onAbort = () => done()), { once: true }))];
    if (timeoutMs !== Infinity) ends.push(new Promise<void>((done) => (timer = setTimeout(done, Math.max(0, timeoutMs)))));
    try {
      await Promise.race(ends);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Wakes the waiting deliveries, once per tick. */
  private notify(): void {
    if (this.notifying || this.changed === undefined) return;
    this.notifying = true;
    queueMicrotask(() => {
      this.notifying = false;
      const changed = this.changed;
      this.changed = undefined;
      changed?.resolve();
    });
  }
}
