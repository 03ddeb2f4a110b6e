import { asyncScheduler, map, mergeMap, Observable, tap } from 'rxjs';
import type { OperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { BacklogCounter } from './backlog.js';
import { batchBy } from './batching.js';
import type { ToKinesisConfig } from './config.js';
import { deliverBatch } from './delivery.js';
import type { DeliveryOptions } from './delivery.js';
import { KinesisBacklogOverflowError } from './errors.js';
import { prepareRecord, refuseOverStreamLimit } from './prepareRecord.js';
import type { PreparedRecord } from './prepareRecord.js';
import { batchResult, failedRecord } from './results.js';
import type { KinesisBatchResult, KinesisRecordFailure } from './results.js';
import { putRecordsSender } from './sender.js';
import { resolveSettings } from './settings.js';
import { ShardMapCache } from './shardMapCache.js';
import type { WithoutMap } from './shardMapCache.js';
import { dispatchInOrder } from './dispatch.js';
import { gatedMerge } from './gatedMerge.js';
import { Intake, INTAKE_SLICE } from './intake.js';
import { KeyOrder } from './keyOrder.js';
import { ShardLimiter } from './shardLimiter.js';
import { ShardScheduler } from './shardScheduler.js';
import { StreamRecordLimit } from './streamRecordLimit.js';
import type { Settings } from './settings.js';
import { listShards } from '../kinesis/listShards.js';
import { describeMaxRecordBytes } from '../kinesis/streamSummary.js';
import { withDeadline } from '../shared/deadline.js';
import { messageOf, withoutHttpResponse } from '../shared/errors.js';

/** Checks a batch before it is sent (the stream's record limit): the batch as it goes. */
type BatchCheck<T> = (batch: PreparedRecord<T>[], signal: AbortSignal) => Promise<PreparedRecord<T>[]>;

/** Delivers one batch as an Observable: one result, then complete; unsubscribing aborts the request in flight. */
function deliver<T>(batch: PreparedRecord<T>[], closedAt: number, options: DeliveryOptions, check?: BatchCheck<T>): Observable<KinesisBatchResult<T>> {
  return new Observable<KinesisBatchResult<T>>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    const delivered =
      check === undefined
        ? deliverBatch(batch, options, controller.signal, closedAt)
        : check(batch, controller.signal).then((checked) => deliverBatch(checked, options, controller.signal, closedAt));
    delivered.then(
      (result) => {
        settled = true;
        subscriber.next(result);
        subscriber.complete();
      },
      (error: unknown) => {
        settled = true;
        if (!controller.signal.aborted) subscriber.error(withoutHttpResponse(error));
      },
    );
    return () => {
      if (!settled) controller.abort();
    };
  });
}

/**
 * Where the intake's later slices run: on the next turn of the event loop (`setImmediate`: after
 * the I/O that is ready, so requests go out and answers are read between slices); with a
 * scheduler of the caller's (a `TestScheduler`), on it.
 */
function laterOn(scheduler: SchedulerLike): (work: () => void) => () => void {
  if (scheduler !== asyncScheduler) {
    return (work) => {
      const action = scheduler.schedule(work);
      return () => action.unsubscribe();
    };
  }
  return (work) => {
    const immediate = setImmediate(work);
    return () => clearImmediate(immediate);
  };
}

/** What the producer does without a shard map, for the one warning (none for a missing stream when only the limiter needs the map). */
function withoutShardMap(settings: Pick<Settings<unknown>, 'aggregation' | 'shardLimit'>): WithoutMap {
  const aggregating = 'aggregating only records with the same partition key and explicit hash key';
  const unlimited = 'sending without per-shard budgets';
  if (settings.aggregation === undefined) return { doing: unlimited, quietIfNoStream: true };
  return { doing: settings.shardLimit === undefined ? aggregating : `${aggregating}, and ${unlimited}`, quietIfNoStream: false };
}

/**
 * Sends every item of the source to an AWS Kinesis Data Stream, in batches, and emits one
 * {@link KinesisBatchResult} per batch with an outcome for every item.
 *
 * Items are prepared one by one (partition key, explicit hash key, serialization, size check)
 * as they come (the tail of a synchronous burst, and, with no `backlog.maxBytes`, items that come
 * while `concurrency + 1` batches of prepared records wait, are counted in the backlog at once and
 * prepared, in order, as records settle, unless records may wait for their key's turn or their
 * shard's budget: so the first requests go out while the rest of an array is prepared, and a
 * waiting item holds no serialized copy), collected into batches closed by count (`batch.size`, at most 500; 50,000 with `aggregation`), bytes (`batch.maxBytes`,
 * 5 MiB by default) or time (`batch.duration` after the first item of the batch), and each batch is
 * sent with `PutRecords`: one request at a time by default, results in batch order, like
 * `concatMap`; up to `concurrency` requests at once when asked (results then come in the order
 * batches finish).
 *
 * Shard limiting (`shardLimit`, on by default): each shard gets a budget of records and bytes
 * per second, open until the shard first throttles, then cut on each throttle and grown back
 * while sends succeed, up to the service's shard limit (and reopened once the shard is quiet).
 * While every budget is open, records go in order, as without the limiter; once one is engaged,
 * records are planned into requests by the shard their keys map to (the stream's shards listed
 * with `ListShards`), and a record waits for its shard's budget (still counted in the backlog)
 * instead of being sent to be refused; records of other shards go on. `shardLimit.onSnapshot` reports each shard's budget, and each
 * result counts its `throttledRecordAttempts`. `shardLimit: false` sends as before: `concurrency`
 * batches at once, each batch's requests in order.
 *
 * Failures are data, never errors: a record refused on the client (`RecordTooLarge`,
 * `InvalidPartitionKey`, `InvalidExplicitHashKey`, `SerializationError`) or by the service
 * (after retries of retryable errors) is reported as `status: 'failed'` with its error code,
 * and the rest of its batch is delivered. On completion of the source the partial batch is sent
 * at once, and the output completes after its result. If the source errors, what was buffered
 * is sent and reported first, then the error is passed on. Unsubscribing stops the timers and
 * aborts the requests in flight.
 *
 * Memory: what waits (records that entered and have no outcome yet) can be bounded with
 * `backlog.maxRecords` / `backlog.maxBytes`; an item over the bound is reported as failed with
 * `BufferOverflow`, the items refused in one tick together in one result (or, with `overflow: 'error'`, ends the output with a
 * {@link KinesisBacklogOverflowError} once what waits is reported). `backlog.onChange` reports the
 * backlog as it changes, so that a source able to pause can be paused.
 *
 * Aggregation (`aggregation: true`): user records bound for the same shard (predicted from the
 * stream's shard map, listed once per subscription with `ListShards`) are packed into KPL
 * aggregated records of up to `aggregation.maxBytes`, which the KCL, Lambda and `aws-kinesis-agg`
 * unpack; each item still gets its own outcome, with its index in the aggregate as
 * `subSequenceNumber`, and a failed aggregate is retried as a whole.
 *
 * @example
 * ```ts
 * import { toKinesis } from 'rxjs-kinesis';
 *
 * orders$
 *   .pipe(toKinesis({ streamName: 'orders', partitionKey: 'customer_id' }))
 *   .subscribe((result) => console.log(`${result.successfulRecordCount} sent, ${result.failedRecordCount} failed`));
 * ```
 * @example
 * Small events, many per Kinesis record (KPL aggregation; consumers unpack them with the KCL,
 * Lambda's deaggregation modules or `aws-kinesis-agg`):
 * ```ts
 * clicks$
 *   .pipe(toKinesis({ streamName: 'clicks', partitionKey: 'user_id', aggregation: true, batch: { size: 10_000, duration: '1s' } }))
 *   .subscribe((result) => console.log(`${result.recordCount} events in ${result.kinesisRecordCount} Kinesis records`));
 * ```
 * @param config - Stream, partition key, batching, client and retry settings; see {@link ToKinesisConfig}.
 * @returns An operator from items to batch results.
 * @throws {@link KinesisConfigError} synchronously when `config` is invalid, listing every problem.
 * @see {@link KinesisBatchResult} for what is emitted, and {@link ToKinesisConfig} for every setting and its default.
 * @category Producer
 */
export function toKinesis<T>(config: ToKinesisConfig<T>): OperatorFunction<T, KinesisBatchResult<T>> {
  const settings = resolveSettings(config);
  return (source) =>
    new Observable<KinesisBatchResult<T>>((subscriber) => {
      const lease = settings.leaseClient();
      const stopping = new AbortController();
      const send = putRecordsSender(lease.client, settings.target, lease.requestTimeoutMs);
      const shardMaps =
        settings.aggregation === undefined && settings.shardLimit === undefined
          ? undefined
          : new ShardMapCache(
              (signal) => withDeadline((deadline) => listShards(lease.client, settings.target, deadline), signal, lease.requestTimeoutMs),
              settings.logger,
              settings.streamName,
              undefined,
              withoutShardMap(settings),
            );
      const scheduler =
        settings.shardLimit &&
        new ShardScheduler({
          send,
          limiter: new ShardLimiter(settings.shardLimit),
          shardMaps: shardMaps!,
          limits: settings.requests,
          concurrency: settings.concurrency,
          signal: stopping.signal,
        });
      const keyOrder = settings.keyOrdering && new KeyOrder(settings.keyOrdering.afterFailure);
      const delivery: DeliveryOptions = {
        streamName: settings.streamName,
        send,
        dispatch: scheduler === undefined ? dispatchInOrder(send, settings.requests) : scheduler.dispatch,
        retry: settings.retry,
        logger: settings.logger,
        aggregation: settings.aggregation && { maxBytes: settings.aggregation.maxBytes, shardMaps: shardMaps! },
        keyOrder,
      };
      const onSnapshot = settings.shardLimit?.onSnapshot;
      const snapshots = scheduler && onSnapshot && setInterval(() => onSnapshot(scheduler.snapshot()), settings.shardLimit!.snapshotIntervalMs);
      /**
       * Every batch's delivery: with the scheduler, started while it is ready for more (it bounds
       * the requests; records waiting for a throttled shard hold nothing back), results in batch
       * order at `concurrency: 1`; without it, `concurrency` batches at once.
       */
      const deliverEach = (project: (closed: { batch: PreparedRecord<T>[]; closedAt: number }) => Observable<KinesisBatchResult<T>>) =>
        scheduler === undefined ? mergeMap(project, settings.concurrency) : gatedMerge(project, scheduler, settings.concurrency === 1);
      const backlog = new BacklogCounter(settings.backlog);
      const streamLimit =
        !settings.followStreamRecordLimit
          ? undefined
          : new StreamRecordLimit((signal) => withDeadline((deadline) => describeMaxRecordBytes(lease.client, settings.target, deadline), signal, lease.requestTimeoutMs), settings.logger, settings.streamName);
      /** Prepared records kept ready to send, at most, while the tail of a burst waits unprepared. */
      const readyAhead = (settings.concurrency + 1) * Math.max(settings.batch.maxCount, INTAKE_SLICE);
      /** Lets the intake prepare more once records have settled. */
      let resumeIntake = (): void => undefined;
      /** Counts records out of the backlog (their outcome is final), and lets the intake prepare more. */
      const settled = (count: number, bytes: number): void => {
        backlog.settled(count, bytes);
        resumeIntake();
      };
      /** With `maxRecordBytes: 'stream'`: records over the stream's limit are refused (their bytes leave the backlog now: a refused record carries none). */
      const checkBatch: BatchCheck<T> | undefined =
        streamLimit &&
        (async (batch, signal) => {
          const checked = refuseOverStreamLimit(batch, await streamLimit.get(signal), settings.streamName);
          if (checked.refusedBytes > 0) {
            settled(0, checked.refusedBytes);
            // A refused record leaves its key's queue: the key's next records need not wait for it.
            if (keyOrder !== undefined) batch.forEach((record, index) => record !== checked.batch[index] && record.accepted && keyOrder.settle(record, record.partitionKey, false));
          }
          return checked.batch;
        });
      /** Items refused at the bound in this tick: reported together, in one result, once the tick's synchronous work is done (or before the input ends). */
      let refused: KinesisRecordFailure<T>[] = [];
      const reportRefused = (): void => {
        if (refused.length === 0) return;
        const records = refused;
        refused = [];
        subscriber.next(batchResult(settings.streamName, records, { attempts: 0, bytes: 0, closedAt: performance.now(), throttledRecordAttempts: 0 }));
      };
      const refuse = (item: T, partitionKey: string | undefined, errorCode: string, errorMessage: string): void => {
        if (refused.length === 0) queueMicrotask(reportRefused);
        refused.push(failedRecord(item, partitionKey, errorCode, errorMessage, 0));
      };
      /** Why the input stopped early: the source's error, or the bound with `overflow: 'error'`. */
      let inputError: { error: unknown } | undefined;
      /**
       * The per-item path, as one subscriber: each item checked against the backlog's record count
       * (before it is prepared: an item refused by count is never serialized), prepared, checked
       * against its bytes, and let in; or refused (`'fail'`: gathered into one result per tick),
       * or the input stopped (`'error'`, and on the source's error: what waits is still sent and
       * reported, then the output errors). When an item is prepared is the {@link Intake}'s: as it
       * comes, or, counted in at once, later, as records settle.
       */
      const admitted = new Observable<PreparedRecord<T>>((downstream) => {
        let stopped = false;
        const stop = (error: unknown): void => {
          stopped = true;
          inputError = { error };
          // Items taken from the source that still wait to be prepared (the tail of a burst) get their outcome too.
          const left = intake.drain();
          backlog.release(left.length);
          for (const item of left) refuse(item, undefined, 'BufferOverflow', `not admitted: the input stopped at an earlier item (${messageOf(error)})`);
          reportRefused();
          downstream.complete();
        };
        /** The count bound, checked before an item is prepared (an item refused by count is never serialized): `true` when the item fits. */
        const fits = (item: T): boolean => {
          const full = backlog.full();
          if (full === undefined) return true;
          if (settings.backlog.overflow === 'error') stop(new KinesisBacklogOverflowError(item, backlog.records, backlog.bytes, full));
          else refuse(item, undefined, 'BufferOverflow', full);
          return false;
        };
        /** Prepares an item that fits by count, checks its bytes, and lets it in (`reserved`: it is already counted). */
        const prepareAndAdmit = (item: T, reserved: boolean): void => {
          const record = prepareRecord(item, settings.records);
          const overflow = backlog.overflow(record.bytes, reserved);
          if (overflow !== undefined) {
            if (reserved) backlog.release(1);
            if (!record.accepted) return refuse(item, record.partitionKey, record.errorCode, record.errorMessage);
            if (settings.backlog.overflow === 'error') return stop(new KinesisBacklogOverflowError(item, backlog.records, backlog.bytes, overflow));
            return refuse(item, record.partitionKey, 'BufferOverflow', overflow);
          }
          backlog.admit(record.bytes, reserved);
          if (keyOrder !== undefined && record.accepted) keyOrder.enter(record, record.partitionKey);
          downstream.next(record);
        };
        /** A fault here (a throwing `backlog.onChange`, or a fault of this library) stops the input as a source error would. */
        const guard =
          <R>(step: (item: T) => R, otherwise: R) =>
          (item: T): R => {
            try {
              return step(item);
            } catch (error) {
              stop(error);
              return otherwise;
            }
          };
        const intake: Intake<T> = new Intake<T>({
          admit: guard((item) => void (fits(item) && prepareAndAdmit(item, false)), undefined),
          reserve: guard((item) => fits(item) && (backlog.reserve(), true), false),
          admitReserved: guard((item) => prepareAndAdmit(item, true), undefined),
          stopped: () => stopped,
          // Enough prepared: a batch for each request that may be in flight, and the next one. Not
          // while prepared records may wait for something else than a request slot (their key's
          // turn, their shard's budget): items behind them must not be held back behind them.
          wanted: () => backlog.records - intake.waiting < readyAhead || keyOrder !== undefined || scheduler?.engaged === true,
          burst: Math.max(settings.batch.maxCount, INTAKE_SLICE),
          holdBack: settings.backlog.maxBytes === Infinity,
          later: laterOn(settings.batch.scheduler),
        });
        resumeIntake = () => intake.resume();
        const input: Subscription = source.subscribe({
          next: (item) => {
            if (!stopped) intake.take(item);
          },
          error: (error: unknown) => {
            if (!stopped) intake.end(() => stop(error));
          },
          complete: () => {
            if (stopped) return;
            intake.end(() => {
              reportRefused();
              downstream.complete();
            });
          },
        });
        return () => {
          intake.drop();
          input.unsubscribe();
        };
      });
      const subscription = admitted
        .pipe(
          batchBy(settings.batch),
          map((batch) => {
            backlog.closed(batch.length);
            return { batch, closedAt: performance.now() };
          }),
          deliverEach(({ batch, closedAt }) => deliver(batch, closedAt, delivery, checkBatch)),
          tap((result) => settled(result.recordCount, result.bytes)),
        )
        .subscribe({
          next: (result) => subscriber.next(result),
          error: (error: unknown) => subscriber.error(withoutHttpResponse(error)),
          complete: () => (inputError === undefined ? subscriber.complete() : subscriber.error(inputError.error)),
        });
      return () => {
        subscription.unsubscribe();
        refused = [];
        clearInterval(snapshots);
        stopping.abort();
        lease.release();
      };
    });
}
