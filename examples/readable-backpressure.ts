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
import { lastValueFrom, Observable, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

const TOTAL = 50_000;
const HIGH_WATER = 2_000; // pause the file/socket/queue above this many records waiting
const LOW_WATER = 500; // and resume it below this many

/** A Readable as an Observable; unsubscribing destroys it. */
function fromReadable<T>(readable: Readable): Observable<T> {
  return new Observable<T>((subscriber) => {
    readable.on('data', (chunk: T) => subscriber.next(chunk));
    readable.once('end', () => subscriber.complete());
    readable.once('error', (error) => subscriber.error(error));
    return () => readable.destroy();
  });
}

const target = await exampleTarget('example-backpressure', 2);
try {
  // Any object-mode Readable: lines of a file, rows of a database cursor, messages of a queue.
  const events = Readable.from(
    (function* () {
      for (let id = 0; id < TOTAL; id++) yield { id, user: `user-${id % 250}`, action: 'click' };
    })(),
  );

  let peak = 0;
  let pauses = 0;
  let sent = 0;
  let failed = 0;
  await lastValueFrom(
    fromReadable<{ id: number; user: string }>(events).pipe(
      toKinesis({
        streamName: target.streamName,
        ...target.connection,
        partitionKey: 'user',
        backlog: {
          maxRecords: HIGH_WATER, // the hard bound; the pause below keeps us from reaching it
          onChange: ({ records }) => {
            peak = Math.max(peak, records);
            if (records >= HIGH_WATER && !events.isPaused()) {
              pauses++;
              events.pause();
            } else if (records <= LOW_WATER && events.isPaused()) {
              events.resume();
            }
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
