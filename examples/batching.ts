/**
 * Batching: `batch: { size, duration, maxBytes }`; batches closed by count and by time.
 *
 * Records are sent in batches (one PutRecords request each), closed by whichever comes
 * first: `size` records, `maxBytes` bytes, or `duration` after the first record of the batch.
 * A busy source fills batches by count; a quiet one is flushed by the timer, so no record waits
 * longer than `duration`. Here a source emits bursts of varying size every 300 ms.
 *
 * Run: npm run example -- batching
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { concatMap, interval, lastValueFrom, map, range, take, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

const BURSTS = [250, 30, 120, 5, 100]; // records per burst, one burst every 300 ms
const batch = { size: 100, duration: '250ms', maxBytes: 1_000_000 } as const;

const target = await exampleTarget('example-batching');
try {
  const startedAt = performance.now();
  const clicks$ = interval(300).pipe(
    take(BURSTS.length),
    concatMap((burst) => range(0, BURSTS[burst]!).pipe(map((i) => ({ burst, i, page: `/products/${i % 7}` })))),
  );

  let sent = 0;
  let failed = 0;
  await lastValueFrom(
    clicks$.pipe(
      toKinesis({ streamName: target.streamName, ...target.connection, batch }),
      tap((result) => {
        sent += result.recordCount;
        failed += result.failedRecordCount;
        // A result does not say why its batch was closed; a full batch was closed by `size`.
        // durationMs is the time from closing the batch to its result: the PutRecords round trip(s).
        const closedBy = result.recordCount === batch.size ? 'size' : 'duration';
        const at = `${Math.round(performance.now() - startedAt)} ms`.padStart(7);
        console.log(
          `${at}  recordCount ${String(result.recordCount).padStart(3)}  (${closedBy.padEnd(8)})  ` +
            `${result.bytes} bytes  durationMs ${result.durationMs.toFixed(1)}`,
        );
      }),
    ),
  );
  console.log(`${sent} records sent in batches of at most ${batch.size}, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
} finally {
  await target.close();
}
