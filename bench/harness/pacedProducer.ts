/**
 * One producer of the shard baseline (`bench/shardBaseline.ts`): `toKinesis` with its default
 * settings and `concurrency: 4`, fed by a source faster than any stream (an object-mode
 * `Readable` that makes events until a deadline), paced only by backpressure: `fromReadable` with
 * `pauseWhenBusy` and a bounded backlog, as in `examples/readable-backpressure.ts`. It times each
 * record from the moment it enters `toKinesis` to its outcome.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { lastValueFrom, map, tap } from 'rxjs';
import { fromReadable, pauseWhenBusy, toKinesis } from '../../lib/index.js';

/** Pause the source when this many records wait in the operator (buffered, queued or in flight)... */
const HIGH_WATER = 4_000;
/** ...and resume it when they are down to this many. */
const LOW_WATER = 2_000;
/** Characters of filler per event: about 120 bytes of JSON per record with the other fields. */
const FILLER = 'x'.repeat(60);

/** One event of the source. */
interface Event {
  readonly id: number;
  /** The partition key, when the scenario chooses it (otherwise `toKinesis` draws a random UUID). */
  readonly key?: string;
  readonly filler: string;
}

/** An event as it enters `toKinesis`: stamped with the time. */
interface Timed extends Event {
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
}

/** How one producer runs. */
export interface ProducerOptions {
  readonly streamName: string;
  readonly endpoint: string;
  /** When the source ends, on the `performance.now()` clock. */
  readonly until: number;
  /** The share of records sent with one hot key (the rest with random keys). Default 0: `toKinesis`'s own random UUID keys. */
  readonly hotKeyShare?: number;
}

/**
 * Runs one producer until its source ends and every record has its outcome.
 *
 * @param options - Stream, endpoint, deadline, key mix.
 * @returns The outcome of every record.
 */
export async function runPacedProducer(options: ProducerOptions): Promise<ProducerOutcome> {
  const { streamName, endpoint, until, hotKeyShare = 0 } = options;
  const keyOf = hotKeyShare > 0 ? (): string => (Math.random() < hotKeyShare ? 'hot-key' : randomUUID()) : undefined;
  const source = Readable.from(
    (function* () {
      for (let id = 0; performance.now() < until; id++) yield keyOf === undefined ? { id, filler: FILLER } : { id, key: keyOf(), filler: FILLER };
    })(),
  );
  const pause = pauseWhenBusy(source, { high: HIGH_WATER, low: LOW_WATER });
  const outcome: ProducerOutcome = { latencies: [], records: 0, failed: new Map() };
  await lastValueFrom(
    fromReadable<Event>(source).pipe(
      map((event): Timed => ({ ...event, enteredAt: performance.now() })),
      toKinesis<Timed>({
        streamName,
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        concurrency: 4,
        ...(keyOf === undefined ? {} : { partitionKey: 'key' }),
        backlog: { maxRecords: HIGH_WATER, onChange: pause },
      }),
      tap((batch) => {
        const now = performance.now();
        for (const record of batch.records) {
          outcome.latencies.push(now - record.item.enteredAt);
          if (record.status === 'failed') outcome.failed.set(record.errorCode, (outcome.failed.get(record.errorCode) ?? 0) + 1);
        }
        outcome.records += batch.recordCount;
      }),
    ),
    { defaultValue: undefined },
  );
  return outcome;
}
