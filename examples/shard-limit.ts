/**
 * Shard limiting: each shard's budget on the console every second, and the throttles per batch.
 *
 * `toKinesis` keeps a budget of records and bytes per second for each shard (on by default). A
 * budget starts open and engages when its shard first throttles; from then on records wait for
 * it instead of being sent to be refused, and it follows the answers: cut on a throttle, grown
 * back while sends succeed, never over the ceiling (`shardLimit.recordsPerSecond`,
 * `bytesPerSecond`: the service's 1,000 records/s and 1 MiB/s per shard by default).
 * `shardLimit.onSnapshot` reports every shard each `snapshotInterval`: a metrics exporter is the
 * few lines of `exportShards` below. Each batch result says how many attempts of its records
 * were throttled (`throttledRecordAttempts`). kinesalite never throttles, so here every budget
 * stays open; against a real stream the lines show the budgets engage and settle.
 *
 * Run: npm run example -- shard-limit
 */
import { Readable } from 'node:stream';
import { lastValueFrom, tap } from 'rxjs';
import { fromReadable, pauseWhenBusy, toKinesis } from '../lib/index.js';
import type { ShardLimitState } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

const TOTAL = 30_000;
const HIGH_WATER = 4_000;

/** One line per shard: what a gauge per shard would get. */
function exportShards(shards: readonly ShardLimitState[]): void {
  const at = new Date().toISOString().slice(11, 19);
  for (const shard of shards) {
    const budget = shard.engaged ? `${Math.round(shard.recordsPerSecond)} rec/s, ${Math.round(shard.bytesPerSecond / 1024)} KiB/s` : 'open';
    console.log(`${at} ${shard.shardId}  budget ${budget}  waiting ${shard.waitingRecords}  accepted ${shard.acceptedRecords}  throttled ${shard.throttledRecords}`);
  }
}

const target = await exampleTarget('example-shard-limit', 2);
try {
  const events = Readable.from(
    (function* () {
      for (let id = 0; id < TOTAL; id++) yield { id, user: `user-${id % 500}`, action: 'view' };
    })(),
  );
  let sent = 0;
  let failed = 0;
  let throttledAttempts = 0;
  await lastValueFrom(
    fromReadable<{ id: number; user: string }>(events).pipe(
      toKinesis({
        streamName: target.streamName,
        ...target.connection,
        partitionKey: 'user',
        concurrency: 4,
        backlog: { maxRecords: HIGH_WATER, onChange: pauseWhenBusy(events, { high: HIGH_WATER, low: HIGH_WATER / 2 }) },
        shardLimit: { onSnapshot: exportShards, snapshotInterval: '1s' },
      }),
      tap((batch) => {
        sent += batch.successfulRecordCount;
        failed += batch.failedRecordCount;
        throttledAttempts += batch.throttledRecordAttempts;
      }),
    ),
  );
  console.log(`${sent} records sent, ${failed} failed, ${throttledAttempts} throttled attempts`);
  if (failed > 0 || sent !== TOTAL) process.exitCode = 1;
} finally {
  await target.close();
}
