/**
 * Graceful shutdown: on SIGTERM complete the source (`takeUntil`), so the tail is sent; unsubscribing would lose it.
 *
 * Completing the source is the graceful stop: the batch being filled is sent at once (without
 * waiting for `batch.duration`), the batches in flight finish, and the output completes after
 * the last result, so awaiting it tells when everything has its outcome. Unsubscribing is the
 * hard stop: the timer stops, requests in flight are aborted, what was buffered is never sent,
 * and nothing more is reported. Here the process sends itself SIGTERM (as `docker stop` or
 * Kubernetes would) while 5-second batches are filling; then the same again with an unsubscribe.
 *
 * Run: npm run example -- graceful-shutdown
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { fromEvent, interval, lastValueFrom, map, takeUntil, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import type { ToKinesisConfig } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Tick {
  readonly run: 'graceful' | 'unsubscribed';
  readonly n: number;
}

const RUN_FOR_MS = 400;

const target = await exampleTarget('example-graceful-shutdown');
try {
  const config: ToKinesisConfig<Tick> = { streamName: target.streamName, ...target.connection, batch: { duration: '5s' } };

  // 1. Graceful: the source ends at SIGTERM; toKinesis sends what it holds and then completes.
  let emitted = 0;
  let written = 0;
  const sigterm$ = fromEvent(process, 'SIGTERM');
  const done = lastValueFrom(
    interval(10).pipe(
      map((n): Tick => ({ run: 'graceful', n })),
      tap(() => emitted++),
      takeUntil(sigterm$),
      toKinesis(config),
      tap((batch) => (written += batch.successfulRecordCount)),
    ),
    { defaultValue: undefined },
  );
  setTimeout(() => process.kill(process.pid, 'SIGTERM'), RUN_FOR_MS); // stands in for `docker stop`
  const signalledAt = await new Promise<number>((resolve) => process.once('SIGTERM', () => resolve(performance.now())));
  await done;
  console.log(
    `graceful: SIGTERM after ${RUN_FOR_MS} ms; ${emitted} ticks emitted, ${written} written, ` +
      `output completed ${Math.round(performance.now() - signalledAt)} ms after the signal (not after batch.duration, 5 s)`,
  );

  // 2. Hard stop: unsubscribing while the batch is still filling. The buffered ticks are dropped, unreported.
  let emittedBeforeUnsubscribe = 0;
  let reported = 0;
  const subscription = interval(10)
    .pipe(
      map((n): Tick => ({ run: 'unsubscribed', n })),
      tap(() => emittedBeforeUnsubscribe++),
      toKinesis(config),
    )
    .subscribe((batch) => (reported += batch.recordCount));
  await new Promise((resolve) => setTimeout(resolve, RUN_FOR_MS));
  subscription.unsubscribe();
  console.log(`unsubscribed: ${emittedBeforeUnsubscribe} ticks emitted, ${reported} reported (the batch being filled was dropped)`);

  if (target.read) {
    const stored = await target.read();
    const runs = stored.map((record) => (JSON.parse(Buffer.from(record.data).toString('utf8')) as Tick).run);
    const graceful = runs.filter((run) => run === 'graceful').length;
    const hard = runs.filter((run) => run === 'unsubscribed').length;
    console.log(`read back: ${graceful} graceful ticks (of ${emitted}), ${hard} unsubscribed ticks (of ${emittedBeforeUnsubscribe})`);
    if (graceful !== emitted || hard !== 0) process.exitCode = 1;
  }
  if (written !== emitted || reported !== 0) process.exitCode = 1;
} finally {
  await target.close();
}
