/**
 * Backpressure: a Node `Readable` paused while too many records wait, resumed when they drain.
 *
 * RxJS pushes: a source faster than Kinesis would queue batches in memory without end.
 * `backlog.maxRecords` bounds what waits (anything over it is reported as `BufferOverflow`),
 * and `backlog.onChange` reports the backlog as it moves, so a source that can pause (a Node
 * stream, a queue consumer) is paused before the bound is reached. Nothing is lost, and memory
 * stays bounded whatever the size of the input.
 *
 * Run: npm run example -- readable-backpressure
 */
import { Readable } from 'node:stream';
import { lastValueFrom, tap } from 'rxjs';
import { fromReadable, pauseWhenBusy, toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

const TOTAL = 50_000;
const HIGH_WATER = 2_000; // pause the file/socket/queue above this many records waiting
const LOW_WATER = 500; // and resume it below this many

const target = await exampleTarget('example-backpressure', 2);
try {
  // Any object-mode Readable: lines of a file, rows of a database cursor, messages of a queue.
  const events = Readable.from(
    (function* () {
      for (let id = 0; id < TOTAL; id++) yield { id, user: `user-${id % 250}`, action: 'click' };
    })(),
  );

  const pause = pauseWhenBusy(events, { high: HIGH_WATER, low: LOW_WATER });
  let peak = 0;
  let pauses = 0;
  events.on('pause', () => pauses++);
  let sent = 0;
  let failed = 0;
  await lastValueFrom(
    fromReadable<{ id: number; user: string }>(events).pipe(
      toKinesis({
        streamName: target.streamName,
        ...target.connection,
        partitionKey: 'user',
        backlog: {
          maxRecords: HIGH_WATER, // the hard bound; pausing at it keeps anything from overflowing
          onChange: (backlog) => {
            peak = Math.max(peak, backlog.records);
            pause(backlog);
          },
        },
      }),
      tap((batch) => {
        sent += batch.successfulRecordCount;
        failed += batch.failedRecordCount;
      }),
    ),
  );
  console.log(`${sent} records sent, ${failed} failed; the source was paused ${pauses} times; at most ${peak} records waited (bound ${HIGH_WATER})`);
  if (failed > 0 || sent !== TOTAL) process.exitCode = 1;
} finally {
  await target.close();
}
