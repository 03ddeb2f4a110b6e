/**
 * The producers of the shard runs (`bench/harness/shardRuns.ts`): each is fed by a source faster
 * than any stream (an object-mode `Readable` that makes events until a deadline) and paced only by
 * backpressure: at most {@link HIGH_WATER} records wait in the producer (the source is paused
 * there and resumed at {@link LOW_WATER}). Each record is timed from the moment it enters the
 * producer to its outcome, and each event's id is counted once per outcome, so that a lost or
 * doubled outcome shows.
 *
 * `toKinesis` is run here (`fromReadable` with `pauseWhenBusy` and a bounded backlog, as in
 * `examples/readable-backpressure.ts`, `concurrency: 4`); the other contenders
 * (`bench/contenders/shardProducers.ts`) take events from {@link pacedEvents} through a
 * {@link Gate}.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { lastValueFrom, map, tap } from 'rxjs';
import { fromReadable, pauseWhenBusy, toKinesis } from '../../lib/index.js';
import type { ToKinesisConfig } from '../../lib/index.js';

/** Pause the source when this many records wait in the producer (buffered, queued or in flight)... */
export const HIGH_WATER = 4_000;
/** ...and resume it when they are down to this many. */
export const LOW_WATER = 2_000;
/** Characters of filler per event: about 120 bytes of JSON per record with the other fields. */
const FILLER = 'x'.repeat(60);
/** Requests in flight at once, for every contender that can have more than one. */
export const PRODUCER_CONCURRENCY = 4;

/** One event of the source. */
export interface PacedEvent {
  readonly id: number;
  /** The partition key. */
  readonly key: string;
  /** Its place among the events of its key (0 for random keys): how the `ordering` scenario counts records out of their key's order. */
  readonly seq: number;
  readonly filler: string;
}

/** An event as it enters a producer: stamped with the time. */
export interface Timed extends PacedEvent {
  readonly enteredAt: number;
}

/** What one producer saw. */
export interface ProducerOutcome {
  /** Milliseconds from entry to outcome, one per record. */
  readonly latencies: number[];
  /** Records that got an outcome. */
  records: number;
  /** Records that failed, by error code. */
  readonly failed: Map<string, number>;
  /** Events the source made. */
  made: number;
  /** Events that got no outcome, or more than one. */
  miscounted: number;
  /** Attempts of records that came back throttled, as the producer counted them (undefined: it does not say). */
  throttledAttempts?: number;
}

/** How one producer runs. */
export interface ProducerOptions {
  readonly streamName: string;
  readonly endpoint: string;
  /** When the source ends, on the `performance.now()` clock. */
  readonly until: number;
  /** The share of records sent with one hot key (the rest with random keys). Default 0. */
  readonly hotKeyShare?: number;
  /** The other records' keys are drawn from this many (`key-0` ...). Default: a random UUID per record. */
  readonly keys?: number;
}

/** A contender of the shard runs: runs one producer until its source ends and every record has its outcome. */
export type ShardProducer = (options: ProducerOptions) => Promise<ProducerOutcome>;

/** Region and credentials of every shard-run client (the simulator accepts any). */
export const SIMULATOR_CLIENT = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } } as const;

/** The events of one producer, made as fast as they are read until `until`, and their outcomes' tally. */
export class PacedRun {
  readonly source: Readable;
  readonly outcome: ProducerOutcome = { latencies: [], records: 0, failed: new Map(), made: 0, miscounted: 0 };
  /** Outcomes per event id. */
  private counts = new Uint8Array(1024);

  /** @param options - The deadline and the key mix. */
  constructor(options: ProducerOptions) {
    const { until, hotKeyShare = 0, keys } = options;
    const run = this;
    /** The next `seq` of each key drawn from a set (random keys never repeat). */
    const next = new Map<string, number>();
    const numbered = (key: string): PacedEvent['seq'] => {
      const seq = next.get(key) ?? 0;
      next.set(key, seq + 1);
      return seq;
    };
    this.source = Readable.from(
      (function* () {
        for (let id = 0; performance.now() < until; id++) {
          run.outcome.made = id + 1;
          const hot = hotKeyShare > 0 && Math.random() < hotKeyShare;
          const key = hot ? 'hot-key' : keys === undefined ? randomUUID() : `key-${Math.floor(Math.random() * keys)}`;
          yield { id, key, seq: hot || keys !== undefined ? numbered(key) : 0, filler: FILLER };
        }
      })(),
    );
  }

  /** The outcome of one record: `errorCode` when it failed. */
  settle(event: Timed, now: number, errorCode?: string): void {
    this.outcome.latencies.push(now - event.enteredAt);
    this.outcome.records += 1;
    if (errorCode !== undefined) this.outcome.failed.set(errorCode, (this.outcome.failed.get(errorCode) ?? 0) + 1);
    if (event.id >= this.counts.length) {
      const grown = new Uint8Array(Math.max(event.id + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[event.id]! += 1;
  }

  /** The tally, once every outcome is in. */
  finish(): ProducerOutcome {
    let miscounted = 0;
    for (let id = 0; id < this.outcome.made; id++) if (this.counts[id] !== 1) miscounted++;
    this.outcome.miscounted = miscounted;
    return this.outcome;
  }
}

/** Stamps an event with the time it enters the producer. */
export const timed = (event: PacedEvent): Timed => ({ ...event, enteredAt: performance.now() });

/**
 * Bounds what waits in a producer that is not `toKinesis`: `enter` resolves when one more record
 * may wait (at once below {@link HIGH_WATER}; once down to {@link LOW_WATER} otherwise).
 */
export class Gate {
  private waiting = 0;
  private readonly events = new EventTarget();

  /** Waits until a record may enter, and counts it in. */
  async enter(): Promise<void> {
    if (this.waiting >= HIGH_WATER) while (this.waiting > LOW_WATER) await once(this.events, 'low');
    this.waiting += 1;
  }

  /** Counts records out (they have their outcome). */
  leave(count = 1): void {
    this.waiting -= count;
    if (this.waiting <= LOW_WATER) this.events.dispatchEvent(new Event('low'));
  }
}

/**
 * `toKinesis` as a shard-run producer: `concurrency: 4`, the backlog bounded at
 * {@link HIGH_WATER} with the source paused there, and `config` on top (`shardLimit: false`).
 *
 * @param config - Settings over the defaults.
 * @returns The producer.
 */
export function toKinesisProducer(config: Partial<ToKinesisConfig<Timed>> = {}): ShardProducer {
  return async (options) => {
    const run = new PacedRun(options);
    const pause = pauseWhenBusy(run.source, { high: HIGH_WATER, low: LOW_WATER });
    let throttledAttempts = 0;
    await lastValueFrom(
      fromReadable<PacedEvent>(run.source).pipe(
        map(timed),
        toKinesis<Timed>({
          streamName: options.streamName,
          endpoint: options.endpoint,
          ...SIMULATOR_CLIENT,
          concurrency: PRODUCER_CONCURRENCY,
          partitionKey: 'key',
          backlog: { maxRecords: HIGH_WATER, onChange: pause },
          ...config,
        }),
        tap((batch) => {
          const now = performance.now();
          throttledAttempts += batch.throttledRecordAttempts;
          for (const record of batch.records) run.settle(record.item, now, record.status === 'failed' ? record.errorCode : undefined);
        }),
      ),
      { defaultValue: undefined },
    );
    return { ...run.finish(), throttledAttempts };
  };
}
