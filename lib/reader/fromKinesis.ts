/**
 * The reader: a stream as an Observable of its records.
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { FromKinesisConfig } from './config.js';
import type { KinesisReadRecord } from './readRecords.js';
import { resolveReadSettings } from './settings.js';
import { describePosition, kinesisShardApi, readShard } from './shardReader.js';
import type { ShardReadOptions } from './shardReader.js';
import { ShardTracker } from './shardTracker.js';
import { withoutHttpResponse } from '../shared/errors.js';
import { withRetry } from '../shared/retry.js';

/**
 * Reads a Kinesis Data Stream as an Observable of its records: every shard, KPL aggregates
 * unpacked into their user records, plain records passed through.
 *
 * On subscribe the shards are listed (`ListShards`) and each is read from `startingPosition`
 * with `GetShardIterator` and `GetRecords` in a loop: one request in flight per shard, each
 * page emitted in sequence order before the next call, the next call after `pollInterval` once
 * the shard has caught up (after 200 ms, the service's limit of 5 calls per second per shard,
 * while it is behind). Shards created by a reshard (split, merge, on-demand scaling) are found by
 * listing again whenever a shard is read to its end, and every `shardSyncInterval`; a child shard
 * is read from its start, and only once all its parents are read to their end, so every record
 * of a key comes in order across a reshard.
 *
 * Throttling (`ProvisionedThroughputExceededException`), 5xx, timeouts and cut connections are
 * retried per shard with exponential backoff and full jitter (`retry`); an expired iterator is
 * replaced by one after the last record emitted, or, before any record of its shard was emitted,
 * by one where the first began (for `'LATEST'`: at the time, by this machine's clock, just before
 * it was asked for: a clock ahead of the service's skips the records of the first seconds after
 * subscribing, one behind adds those of the last seconds before; see `startingPosition`). Any
 * other error (`ResourceNotFoundException`: no such stream; `AccessDeniedException`;
 * `InvalidArgumentException`), or a retryable one that lasts `retry.maxAttempts` attempts, ends
 * the Observable with the SDK's error, stripped of the HTTP response it hides (`$response`, which
 * holds the request's headers, the session token among them); its class, `name`, `message`,
 * `$fault` and `$metadata` are kept. It does not complete on its own: a stream has no end. Take
 * what you need (`take`, `takeUntil`, `takeWhile`) or unsubscribe: the requests in flight are
 * aborted, the timers cleared, and the client built here closed (a `client` you passed in is
 * left open); no request is made after.
 *
 * Each shard waits for its page to be emitted before asking for the next one, but emitting is
 * synchronous: a subscriber that hands records to asynchronous work (`mergeMap`, `concatMap`)
 * does not slow the polling, and what it has not processed yet waits in memory.
 *
 * No checkpoints are kept and no leases taken: each subscription reads on its own, from
 * `startingPosition`. Sharing the shards of a stream between several consumers, and resuming
 * after a restart, is the job of the Kinesis Client Library (KCL).
 *
 * IAM: `kinesis:ListShards`, `kinesis:GetShardIterator`, `kinesis:GetRecords`.
 *
 * @example
 * ```ts
 * import { take } from 'rxjs';
 * import { fromKinesis } from 'rxjs-kinesis';
 *
 * fromKinesis({ streamName: 'orders', startingPosition: 'TRIM_HORIZON' })
 *   .pipe(take(100))
 *   .subscribe((record) => console.log(record.shardId, record.sequenceNumber, record.subSequenceNumber, new TextDecoder().decode(record.data)));
 * ```
 * @param config - Stream, connection, starting position, polling and retry settings; see {@link FromKinesisConfig}.
 * @returns An Observable of the stream's records, in order within each shard; cold: each subscription reads the stream anew.
 * @throws {@link KinesisConfigError} synchronously when `config` is invalid, listing every problem.
 * @see {@link KinesisReadRecord} for what is emitted, {@link FromKinesisConfig} for every setting and its default,
 * and {@link toKinesis} for writing.
 * @category Reader
 */
export function fromKinesis(config: FromKinesisConfig): Observable<KinesisReadRecord> {
  const settings = resolveReadSettings(config);
  return new Observable<KinesisReadRecord>((subscriber) => {
    const controller = new AbortController();
    const { signal } = controller;
    const { logger } = settings;
    const lease = settings.leaseClient();
    const api = kinesisShardApi(lease, settings.target);
    const tracker = new ShardTracker(settings.startingPosition);
    const options: ShardReadOptions = {
      retry: settings.retry,
      logger,
      signal,
      limit: settings.limit,
      pollIntervalMs: settings.pollIntervalMs,
      emit: (record) => subscriber.next(record),
    };
    const fail = (error: unknown): void => {
      if (!signal.aborted) subscriber.error(withoutHttpResponse(error));
    };

    const readReady = (): void => {
      for (const { shardId, position } of tracker.ready()) {
        logger.debug(`reading ${shardId} from ${describePosition(position)}`);
        readShard(api, shardId, position, options).then(() => {
          logger.debug(`${shardId} is read to its end`);
          tracker.finish(shardId);
          readReady();
          sync();
        }, fail);
      }
    };

    // One listing at a time; a listing asked for meanwhile runs once it is done.
    let listing = false;
    let listAgain = false;
    const sync = (): void => {
      if (signal.aborted) return;
      if (listing) {
        listAgain = true;
        return;
      }
      listing = true;
      withRetry(() => api.listShards(signal), 'ListShards', options)
        .then((shards) => {
          tracker.add(shards);
          readReady();
        })
        .then(() => {
          listing = false;
          if (listAgain) {
            listAgain = false;
            sync();
          }
        }, fail);
    };

    sync();
    const syncTimer = setInterval(sync, settings.shardSyncIntervalMs);
    return () => {
      controller.abort();
      clearInterval(syncTimer);
      lease.release();
    };
  });
}
