/**
 * Composition: `groupBy`, each kind of event with its own batching (alerts at once, metrics in full batches).
 *
 * One source often carries items with different needs: an alert should leave within
 * milliseconds, while metrics are cheapest in full batches. `groupBy` splits the source by kind
 * and `mergeMap` gives each group its own `toKinesis`, with its own batching (and, if wanted,
 * its own stream, key or retry policy); the results of all groups come out merged, each saying
 * what it carried. Each group's operator has its own client and completes with its group.
 *
 * Run: npm run example -- group-by
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { groupBy, interval, lastValueFrom, map, mergeMap, take, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import type { ToKinesisConfig } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Event {
  readonly kind: 'alert' | 'metric';
  readonly host: string;
  readonly n: number;
  /** When it was emitted (`performance.now()`), to show how long it waited. */
  readonly at: number;
}

/** Settings per kind of event: alerts go within 20 ms, metrics wait up to 500 ms for a batch of 100. */
const BATCHING: Record<Event['kind'], ToKinesisConfig<Event>['batch']> = {
  alert: { size: 50, duration: '20ms' },
  metric: { size: 100, duration: '500ms' },
};

const TICKS = 400; // one event every 2 ms: every 100th an alert
const target = await exampleTarget('example-group-by', 2);
try {
  const events$ = interval(2).pipe(
    take(TICKS),
    map((n): Event => ({ kind: n % 100 === 42 ? 'alert' : 'metric', host: `web-${n % 3}`, n, at: performance.now() })),
  );

  const startedAt = performance.now();
  const stats = { alert: { batches: 0, records: 0, longestWaitMs: 0 }, metric: { batches: 0, records: 0, longestWaitMs: 0 } };
  let failed = 0;
  await lastValueFrom(
    events$.pipe(
      groupBy((event) => event.kind),
      mergeMap((group) =>
        group.pipe(
          toKinesis({ streamName: target.streamName, ...target.connection, partitionKey: 'host', batch: BATCHING[group.key] }),
          map((batch) => ({ kind: group.key, batch })),
        ),
      ),
      tap(({ kind, batch }) => {
        failed += batch.failedRecordCount;
        const now = performance.now();
        // The first item of a batch waited longest: from its emission to its outcome.
        const waitedMs = now - batch.records[0]!.item.at;
        const at = `${Math.round(now - startedAt)} ms`.padStart(8);
        console.log(`${at}  ${kind.padEnd(6)}  ${String(batch.recordCount).padStart(3)} records  (from #${batch.records[0]!.item.n}, which waited ${Math.round(waitedMs)} ms)`);
        const seen = stats[kind];
        seen.batches++;
        seen.records += batch.recordCount;
        seen.longestWaitMs = Math.max(seen.longestWaitMs, waitedMs);
      }),
    ),
  );

  for (const [kind, seen] of Object.entries(stats)) {
    console.log(`${kind}: ${seen.records} records in ${seen.batches} batches; the longest an item waited: ${Math.round(seen.longestWaitMs)} ms`);
  }
  if (target.read) {
    const stored = await target.read();
    console.log(`read back ${stored.length} of ${TICKS} records`);
    if (stored.length !== TICKS) process.exitCode = 1;
  }
  if (failed > 0 || stats.alert.records + stats.metric.records !== TICKS) process.exitCode = 1;
} finally {
  await target.close();
}
