/**
 * High throughput: `concurrency`, full batches, a bounded backlog; prints records/s.
 *
 * The settings for volume: batches as large as the service takes (`batch.size` 500,
 * `batch.maxBytes` 5 MiB, the defaults) so that each request carries as much as it can;
 * `concurrency: 4` requests in flight, so that the round trips overlap (against a region, each
 * request in flight adds about 500 records per round trip until the CPU is the limit; order per
 * key is no longer kept between batches); a short `batch.duration` so the tail does not wait;
 * and a bound on what waits in memory, with the source paused at the bound instead of records
 * refused. The stream's shards are the real limit on AWS: each takes 1,000 records/s and
 * 1 MiB/s, and what goes over is throttled, retried and, if it keeps failing, reported.
 *
 * Run: npm run example -- high-throughput [records]   (default 20,000)
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { Readable } from 'node:stream';
import { lastValueFrom, tap } from 'rxjs';
import { fromReadable, pauseWhenBusy, toKinesis } from '../lib/index.js';
import type { ToKinesisConfig } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Measurement {
  readonly device: string;
  readonly at: number;
  readonly values: readonly number[];
}

const TOTAL = Number.parseInt(process.argv[3] ?? '', 10) || 20_000;
const SHARDS = 4;
const MAX_WAITING = 10_000; // records waiting (buffered, queued, in flight) at most

const target = await exampleTarget('example-high-throughput', SHARDS);
try {
  // Any source that can pause: here a generator of ~70-byte measurements from 1,000 devices.
  const measurements = Readable.from(
    (function* () {
      for (let i = 0; i < TOTAL; i++) yield { device: `device-${i % 1000}`, at: 1_764_115_200_000 + i, values: [i % 97, i % 89, i % 83, i % 79] };
    })(),
  );

  let peak = 0;
  const pause = pauseWhenBusy(measurements, { high: MAX_WAITING, low: MAX_WAITING / 4 });
  const config: ToKinesisConfig<Measurement> = {
    streamName: target.streamName,
    ...target.connection,
    partitionKey: 'device',
    concurrency: 4,
    batch: { size: 500, maxBytes: 5 * 1024 * 1024, duration: '100ms' },
    backlog: {
      maxRecords: MAX_WAITING,
      maxBytes: 64 * 1024 * 1024,
      onChange: (backlog) => {
        peak = Math.max(peak, backlog.records);
        pause(backlog);
      },
    },
  };

  let written = 0;
  let failed = 0;
  let bytes = 0;
  let batches = 0;
  let retried = 0;
  let slowest = 0;
  const shards = new Map<string, number>();
  const startedAt = performance.now();
  await lastValueFrom(
    fromReadable<Measurement>(measurements).pipe(
      toKinesis(config),
      tap((batch) => {
        batches++;
        written += batch.successfulRecordCount;
        failed += batch.failedRecordCount;
        bytes += batch.bytes;
        if (batch.attempts > 1) retried++;
        slowest = Math.max(slowest, batch.durationMs);
        for (const record of batch.records) if (record.status === 'ok') shards.set(record.shardId, (shards.get(record.shardId) ?? 0) + 1);
      }),
    ),
  );
  const seconds = (performance.now() - startedAt) / 1000;

  const rate = Math.round(written / seconds);
  console.log(`${written.toLocaleString('en-US')} of ${TOTAL.toLocaleString('en-US')} records written in ${seconds.toFixed(2)} s: ${rate.toLocaleString('en-US')} records/s, ${(bytes / seconds / 1024 / 1024).toFixed(1)} MiB/s`);
  console.log(`${batches} batches (${Math.round(written / batches)} records each on average), ${retried} needed a retry, slowest ${slowest.toFixed(0)} ms from close to result`);
  console.log(`at most ${peak.toLocaleString('en-US')} records waited (bound ${MAX_WAITING.toLocaleString('en-US')}); ${failed} failed`);
  console.log(`per shard: ${[...shards].sort().map(([shard, count]) => `${shard} ${count.toLocaleString('en-US')}`).join(', ')}`);
  console.log(
    `on AWS, ${SHARDS} shards take at most ${(SHARDS * 1000).toLocaleString('en-US')} records/s and ${SHARDS} MiB/s; ` +
      (target.read ? 'kinesalite does not apply shard limits.' : 'above that, records are throttled and retried.'),
  );
  if (failed > 0 || written !== TOTAL) process.exitCode = 1;
} finally {
  await target.close();
}
