/**
 * The memory scenario, in a process of its own so that its peak RSS is its own: a generator-based
 * `Readable` of events piped into `toKinesis`, either bounded (`backlog.maxRecords`, the source
 * paused above a high-water mark and resumed below a low one with `fromReadable` and
 * `pauseWhenBusy`, as in `examples/readable-backpressure.ts`) or unbounded (the source never paused; the backlog is only
 * watched).
 *
 * Forked by the memory scenario: it receives a {@link MemoryRun} over IPC and answers a
 * {@link MemoryResult}.
 */
import { Readable } from 'node:stream';
import { lastValueFrom, tap } from 'rxjs';
import { fromReadable, pauseWhenBusy, toKinesis } from '../../lib/index.js';
import type { Backlog } from '../../lib/index.js';
import { generateEvents } from '../harness/events.js';
import type { BenchEvent } from '../harness/events.js';

/** What to run. */
export interface MemoryRun {
  readonly endpoint: string;
  readonly streamName: string;
  readonly records: number;
  readonly recordBytes: number;
  readonly concurrency: number;
  /** The bound and its water marks; none: no bound, the source is never paused. */
  readonly bound?: Bound;
}

/** `backlog.maxRecords`, and the backlog at which the source is paused and resumed. */
export interface Bound {
  readonly maxRecords: number;
  readonly highWater: number;
  readonly lowWater: number;
}

/** What happened. */
export interface MemoryResult {
  readonly sent: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  /** Most records waiting at once (entered the operator, no outcome yet). */
  readonly peakWaiting: number;
  readonly pauses: number;
  /** RSS once everything is loaded, before the first event. */
  readonly baselineRssKb: number;
  /** Peak RSS of this process (`process.resourceUsage().maxRSS`). */
  readonly maxRssKb: number;
}

async function run(config: MemoryRun): Promise<MemoryResult> {
  const baselineRssKb = process.memoryUsage().rss / 1024;
  const events = Readable.from(generateEvents(config.records, config.recordBytes));
  const { bound } = config;
  const pause = bound === undefined ? undefined : pauseWhenBusy(events, { high: bound.highWater, low: bound.lowWater });
  let peakWaiting = 0;
  let pauses = 0;
  events.on('pause', () => pauses++);
  let sent = 0;
  let failed = 0;
  const onChange = (backlog: Backlog): void => {
    if (backlog.records > peakWaiting) peakWaiting = backlog.records;
    pause?.(backlog);
  };
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await lastValueFrom(
    fromReadable<BenchEvent>(events).pipe(
      toKinesis<BenchEvent>({
        streamName: config.streamName,
        endpoint: config.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        partitionKey: 'user',
        batch: { size: 500 },
        concurrency: config.concurrency,
        backlog: bound === undefined ? { onChange } : { maxRecords: bound.maxRecords, onChange },
      }),
      tap((result) => {
        sent += result.successfulRecordCount;
        failed += result.failedRecordCount;
      }),
    ),
    { defaultValue: undefined },
  );
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    sent,
    failed,
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakWaiting,
    pauses,
    baselineRssKb,
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

process.once('message', (config: MemoryRun) => {
  run(config).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
