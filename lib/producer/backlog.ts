/**
 * The backlog: what waits in the operator (records that entered it and have no final outcome
 * yet), its bound, and the hook that lets a source apply backpressure.
 *
 * @module
 */
import { formatBytes } from '../shared/format.js';

/**
 * How much is waiting in the operator: records that entered it and have no final outcome yet, and their bytes.
 *
 * @example
 * ```ts
 * events$.pipe(toKinesis({ streamName: 'events', backlog: { onChange: (backlog: Backlog) => gauge.set(backlog.records) } }));
 * ```
 * @category Backpressure
 */
export interface Backlog {
  /** Records waiting: buffered, queued or in flight, and items taken from the source that wait to be prepared. */
  readonly records: number;
  /** Data plus partition key bytes of the waiting records prepared so far (an item counts here once it is prepared). */
  readonly bytes: number;
  /**
   * Of `records`, those in the batch still being filled (not yet sent), and the items waiting to
   * be prepared. When every waiting record is buffered, nothing is being sent: only more items (or `batch.duration`) will move them, so a
   * paused source should resume.
   */
  readonly buffered: number;
}

/** The resolved `backlog` settings. */
export interface BacklogLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly overflow: 'fail' | 'error';
  readonly onChange: ((backlog: Backlog) => void) | undefined;
}

/** Counts what waits, and says whether one more record fits. One per subscription. */
export class BacklogCounter {
  #records = 0;
  #bytes = 0;
  #buffered = 0;

  /** @param limits - The bound and the change hook. */
  constructor(private readonly limits: BacklogLimits) {}

  /** Records waiting. */
  get records(): number {
    return this.#records;
  }

  /** Bytes waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Why one more record does not fit by count (`maxRecords`), or `undefined` when it does: checked
   * before an item is prepared, which a record refused by count need not be.
   */
  full(): string | undefined {
    const { maxRecords } = this.limits;
    return this.#records + 1 > maxRecords ? `backlog is full: ${this.#records} records waiting, the bound is ${maxRecords}` : undefined;
  }

  /**
   * Why a record of `bytes` does not fit by bytes (`maxBytes`), or `undefined` when it does (the
   * count is {@link BacklogCounter.full}'s). A record larger than `maxBytes` on its own fits when
   * nothing else waits, so that it can go at all.
   *
   * @param bytes - The record's bytes.
   * @param reserved - The record is already counted ({@link BacklogCounter.reserve}).
   */
  overflow(bytes: number, reserved = false): string | undefined {
    const { maxBytes } = this.limits;
    if (this.#records > (reserved ? 1 : 0) && this.#bytes + bytes > maxBytes) {
      return `backlog is full: ${formatBytes(this.#bytes)} waiting, ${formatBytes(bytes)} more would go over the bound of ${formatBytes(maxBytes)}`;
    }
    return undefined;
  }

  /**
   * Counts a record in: it waits in the batch being filled.
   *
   * @param bytes - The record's bytes.
   * @param reserved - The record was counted by {@link BacklogCounter.reserve} when it was taken: only its bytes are added now.
   */
  admit(bytes: number, reserved = false): void {
    if (!reserved) {
      this.#records += 1;
      this.#buffered += 1;
    }
    this.#bytes += bytes;
    this.#notify();
  }

  /** Counts in an item taken from the source that waits to be prepared (its bytes are not known yet): it holds its place in the count bound. */
  reserve(): void {
    this.#records += 1;
    this.#buffered += 1;
    this.#notify();
  }

  /** Counts out reserved items that were refused or dropped before they were admitted. */
  release(count: number): void {
    this.#records -= count;
    this.#buffered -= count;
    this.#notify();
  }

  /** Counts the records of a batch that was closed: they wait to be sent, no longer to be batched. */
  closed(count: number): void {
    this.#buffered -= count;
    this.#notify();
  }

  /** Counts records out: they have their final outcome. */
  settled(count: number, bytes: number): void {
    this.#records -= count;
    this.#bytes -= bytes;
    this.#notify();
  }

  #notify(): void {
    this.limits.onChange?.({ records: this.#records, bytes: this.#bytes, buffered: this.#buffered });
  }
}
