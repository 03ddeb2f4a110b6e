/**
 * `toKinesis` as a contender: the events pushed synchronously into the operator, every batch
 * result consumed, and the total checked.
 */
import { lastValueFrom, Observable, tap } from 'rxjs';
import { toKinesis } from '../../lib/index.js';
import type { Contender } from '../harness/contender.js';
import type { BenchEvent } from '../harness/events.js';

/** The first `n` events, pushed synchronously (as `from(array)` would, without copying the array). */
function firstEvents(records: readonly BenchEvent[], n: number): Observable<BenchEvent> {
  return new Observable<BenchEvent>((subscriber) => {
    for (let index = 0; index < n && !subscriber.closed; index++) subscriber.next(records[index]!);
    subscriber.complete();
  });
}

/**
 * `toKinesis` with `concurrency` batches in flight, consuming every batch result.
 *
 * @param concurrency - Requests in flight at once.
 * @param batchSize - `batch.size` (records per batch; user records with aggregation).
 * @param aggregation - Pack records into KPL aggregates.
 * @param shardLimit - `false`: without the shard limiter (the sending of before it); default: on.
 * @param keys - `'field'`: the partition key from the `user` field; `'default'`: none given, a random UUID v4 per record.
 * @returns The contender.
 */
export function toKinesisContender(concurrency: number, batchSize = 500, aggregation = false, shardLimit?: false, keys: 'field' | 'default' = 'field'): Contender {
  return async (n, records, endpoint, options) => {
    let sent = 0;
    let failed = 0;
    await lastValueFrom(
      firstEvents(records, n).pipe(
        toKinesis<BenchEvent>({
          streamName: options.streamName,
          endpoint,
          region: options.region,
          credentials: { ...options.credentials },
          ...(keys === 'field' ? { partitionKey: 'user' } : {}),
          batch: { size: batchSize },
          concurrency,
          aggregation,
          ...(shardLimit === undefined ? {} : { shardLimit }),
        }),
        tap((result) => {
          sent += result.recordCount;
          failed += result.failedRecordCount;
        }),
      ),
      { defaultValue: undefined },
    );
    if (failed !== 0 || sent !== n) throw new Error(`toKinesis reported ${sent} records, ${failed} failed, of ${n}`);
  };
}
