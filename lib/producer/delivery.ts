/**
 * Delivery of one batch: dispatch each round of its records (in order, or through the shard
 * scheduler, `dispatch.ts`), retry what failed with a retryable error after a backoff, and report
 * exactly one outcome per item.
 *
 * @module
 */
import { packAggregates } from './aggregation.js';
import type { PackedAggregate } from './aggregation.js';
import { dispatchInOrder } from './dispatch.js';
import type { Dispatch } from './dispatch.js';
import { planKeyTurns } from './planner.js';
import type { Outgoing } from './planner.js';
import type { KeyOrder } from './keyOrder.js';
import { PRECEDING_RECORD_FAILED } from './errors.js';
import type { AcceptedRecord, PreparedRecord } from './prepareRecord.js';
import { repackAfterReshard } from './reshard.js';
import type { Misplaced } from './reshard.js';
import { batchResult, countFailures, failedRecord } from './results.js';
import type { KinesisBatchResult, KinesisRecordResult, KinesisRecordSuccess } from './results.js';
import type { SendPutRecords } from './sender.js';
import type { ShardMapCache } from './shardMapCache.js';
import { formatCounts } from '../shared/format.js';
import type { Logger } from '../shared/logger.js';
import { backoffDelay, sleep } from '../shared/retry.js';
import type { RetryPolicy } from '../shared/retry.js';
import type { EntryOutcome } from './answer.js';
import { THROTTLED_ERROR_CODE } from '../kinesis/errorCodes.js';

/** Aggregation settings of a delivery. */
export interface DeliveryAggregation {
  /** Largest aggregate, partition key included. */
  readonly maxBytes: number;
  /** The stream's shard map, fetched once and refreshed when a record lands on another shard than predicted. */
  readonly shardMaps: ShardMapCache;
}

/** What delivering a batch needs. */
export interface DeliveryOptions {
  readonly streamName: string;
  readonly send: SendPutRecords;
  /** How each round reaches `send`. Default: in order, request after request ({@link dispatchInOrder}). */
  readonly dispatch?: Dispatch | undefined;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /** Pack user records into KPL aggregates; `undefined`: send each record as it is. */
  readonly aggregation?: DeliveryAggregation | undefined;
  /** Per-key ordering: the subscription's key queues, which every accepted record entered on admission; `undefined`: no ordering. */
  readonly keyOrder?: KeyOrder | undefined;
}

/** A user record waiting for its outcome, and where it stands in its batch. */
interface PendingRecord<T> extends Outgoing {
  readonly record: AcceptedRecord<T>;
  readonly position: number;
}

/**
 * Delivers one batch and reports it. Records that fail with a retryable error are sent again,
 * alone, after a backoff, until they succeed or `retry.maxAttempts` is reached; records that
 * succeeded are never resent. With aggregation, user records are first packed into aggregates
 * (once), and a failed aggregate is resent as a whole; each user record gets its aggregate's
 * outcome, with its index in the aggregate as `subSequenceNumber`. Only after a reshard (an
 * aggregate landed on another shard than predicted) are records packed again: those whose keys
 * now map to another shard than the one their aggregate landed on.
 *
 * With per-key ordering (`keyOrder`), a record goes only when every older record of its key (in
 * this batch or an earlier one) has its final outcome, so each round sends what may go now
 * ({@link planKeyTurns}); with aggregation, a key's records of a round travel in one aggregate.
 * Written records are settled as soon as their request is answered, so that the next records of
 * their keys, in other batches, need not wait for the rest of the round.
 *
 * @param batch - Prepared records, in arrival order.
 * @param options - Sender, retry policy, limits and logger.
 * @param signal - Aborts the request in flight or the wait before a retry.
 * @param closedAt - `performance.now()` when the batch was closed (the start of its `durationMs`).
 * @returns The batch result, with one outcome per record in arrival order.
 * @throws Only when `signal` is aborted.
 */
export async function deliverBatch<T>(
  batch: readonly PreparedRecord<T>[],
  options: DeliveryOptions,
  signal: AbortSignal,
  closedAt: number = performance.now(),
): Promise<KinesisBatchResult<T>> {
  const { streamName, send, retry, logger, aggregation, keyOrder } = options;
  const dispatch = options.dispatch ?? dispatchInOrder(send);
  const outcomes = new Array<KinesisRecordResult<T>>(batch.length);
  /** User records never sent yet, in arrival order. */
  let unsent: PendingRecord<T>[] = [];
  let bytes = 0;
  batch.forEach((record, position) => {
    if (record.accepted) {
      unsent.push({ record, position });
      bytes += record.bytes;
    } else {
      outcomes[position] = failedRecord(record.item, record.partitionKey, record.errorCode, record.errorMessage, 0);
    }
  });

  type Sent = PendingRecord<T> | PackedAggregate<PendingRecord<T>>;
  /** Kinesis records to send again. */
  let retrying: Sent[] = [];
  let kinesisRecordCount: number | undefined = aggregation === undefined ? undefined : 0;
  /** `PutRecords` rounds so far. */
  let rounds = 0;
  /** With per-key ordering, the attempts of each Kinesis record (without it, every record still being sent went in every round). */
  const sends = keyOrder && new Map<Outgoing, number>();
  const attemptsOf = (sent: Outgoing): number => (sends === undefined ? rounds : sends.get(sent)!);
  /** Attempts of user records that came back throttled. */
  let throttledRecordAttempts = 0;
  /** User records already packed again after a reshard: never a second time. */
  const repacked = new Set<PendingRecord<T>>();
  /** Kinesis records (and user records) that an attempt may have written: an outcome was unknown, or a reshard moved them. */
  const maybeWritten = new Set<Outgoing>();
  /** The final outcome of one user record, from its Kinesis record's (`carrier`: the aggregate that carried it, if any). */
  const settle = (user: PendingRecord<T>, result: EntryOutcome, attempts: number, carrier?: Outgoing, subSequenceNumber?: number): void => {
    const { item, partitionKey } = user.record;
    keyOrder?.settle(user.record, partitionKey, result.ok);
    const written = maybeWritten.size > 0 && (maybeWritten.has(user) || (carrier !== undefined && maybeWritten.has(carrier)));
    if (!result.ok) {
      outcomes[user.position] = failedRecord(item, partitionKey, result.errorCode, result.errorMessage, attempts, written);
      return;
    }
    const outcome: KinesisRecordSuccess<T> =
      subSequenceNumber === undefined
        ? { status: 'ok', item, partitionKey, shardId: result.shardId, sequenceNumber: result.sequenceNumber, attempts }
        : { status: 'ok', item, partitionKey, shardId: result.shardId, sequenceNumber: result.sequenceNumber, subSequenceNumber, attempts };
    outcomes[user.position] = written ? { ...outcome, possiblyDuplicated: true } : outcome;
  };
  /** Settles a Kinesis record that has its final outcome: each user record it carries. */
  const settleSent = (sent: Sent, result: EntryOutcome): void => {
    const attempts = attemptsOf(sent);
    if (!('parts' in sent)) settle(sent, result, attempts);
    else sent.parts.forEach((part, subSequenceNumber) => settle(part, result, attempts, sent, subSequenceNumber));
  };
  /** Whether a written aggregate landed on another shard than its records were predicted to (a reshard): its records may need to be packed again. */
  const misplacedBy = (sent: Sent, result: EntryOutcome): boolean => result.ok && 'parts' in sent && sent.shardId !== undefined && sent.shardId !== result.shardId && attemptsOf(sent) < retry.maxAttempts;
  /** With per-key ordering and aggregation: a record that cannot travel in its key's aggregate this round waits for the next. */
  const defer = keyOrder && ((deferred: PendingRecord<T>): void => void unsent.push(deferred));
  const precedingFailed = (user: PendingRecord<T>): void =>
    settle(user, { ok: false, errorCode: PRECEDING_RECORD_FAILED, errorMessage: 'an older record with the same partition key failed for good (ordering.afterFailure: fail)', retryable: false, possiblyWritten: false }, 0);

  /** When the records in `retrying` may be sent again (`performance.now()`). */
  let retryAt = 0;
  while (unsent.length > 0 || retrying.length > 0) {
    let fresh = unsent;
    unsent = [];
    if (keyOrder !== undefined) ({ go: fresh, wait: unsent } = planKeyTurns(fresh, keyOrder, aggregation !== undefined, precedingFailed));
    const retryNow = retrying.length > 0 && performance.now() >= retryAt;
    if (fresh.length === 0 && !retryNow) {
      // Wait for the backoff, or (per-key ordering) for an older record of a waiting key to settle.
      const backoff = retrying.length === 0 ? Infinity : retryAt - performance.now();
      if (keyOrder !== undefined && unsent.length > 0) await keyOrder.next(signal, backoff);
      else if (backoff !== Infinity) await sleep(backoff, signal);
      signal.throwIfAborted();
      continue;
    }
    const resent = retryNow ? retrying : [];
    if (retryNow) retrying = [];
    const packed: Sent[] = aggregation === undefined || fresh.length === 0 ? fresh : packAggregates(fresh, await aggregation.shardMaps.get(signal), aggregation.maxBytes, defer);
    rounds++;
    if (kinesisRecordCount !== undefined) kinesisRecordCount += packed.length;
    const waiting = resent.length === 0 ? packed : [...resent, ...packed];
    if (sends !== undefined) for (const sent of waiting) sends.set(sent, (sends.get(sent) ?? 0) + 1);
    const retriedBefore = retrying.length;
    const misplaced: Misplaced<PendingRecord<T>>[] = [];
    /** With per-key ordering, records settled as soon as their request was answered. */
    const early = keyOrder && new Set<number>();
    const onAnswer =
      early &&
      ((index: number, result: EntryOutcome): void => {
        const sent = waiting[index]!;
        if (!result.ok || misplacedBy(sent, result)) return;
        early.add(index);
        settleSent(sent, result);
      });
    const results = await dispatch(waiting, signal, onAnswer);
    waiting.forEach((sent, index) => {
      if (early?.has(index)) return;
      const result = results[index]!;
      if (!result.ok && result.errorCode === THROTTLED_ERROR_CODE) throttledRecordAttempts += 'parts' in sent ? sent.parts.length : 1;
      if (!result.ok && result.possiblyWritten) maybeWritten.add(sent);
      if (!result.ok && result.retryable && attemptsOf(sent) < retry.maxAttempts) retrying.push(sent);
      else if (misplacedBy(sent, result)) misplaced.push({ aggregate: sent as PackedAggregate<PendingRecord<T>>, outcome: result as EntryOutcome & { ok: true } });
      else settleSent(sent, result);
    });
    if (misplaced.length > 0) {
      const attemptsBefore = Math.max(...misplaced.map(({ aggregate }) => attemptsOf(aggregate)));
      const repair = await repackAfterReshard(misplaced, aggregation!.shardMaps, aggregation!.maxBytes, repacked, signal, defer);
      for (const { part, outcome, aggregate, subSequenceNumber } of repair.stay) settle(part, outcome, attemptsOf(aggregate), aggregate, subSequenceNumber);
      // Packed again, they were written all the same, inside an aggregate on another shard.
      for (const resent of repair.resend) {
        for (const part of 'parts' in resent ? resent.parts : [resent]) maybeWritten.add(part);
        sends?.set(resent, attemptsBefore);
      }
      if (repair.repackedCount > 0) {
        logger.warn(`stream '${streamName}' was resharded: ${repair.repackedCount} records whose aggregate landed on a shard their keys do not map to are sent again`);
      }
      kinesisRecordCount! += repair.resend.length;
      retrying.push(...repair.resend);
    }
    if (retrying.length > retriedBefore) {
      let attempts = 0;
      for (let index = retriedBefore; index < retrying.length; index++) attempts = Math.max(attempts, attemptsOf(retrying[index]!));
      const delay = backoffDelay(retry, attempts);
      retryAt = Math.max(retryAt, performance.now() + delay);
      logger.debug(`retrying ${retrying.length} records to stream '${streamName}' in ${Math.round(delay)} ms (attempt ${attempts + 1} of ${retry.maxAttempts})`);
    }
  }

  const attempts = rounds;
  const result = batchResult(streamName, outcomes, { attempts, bytes, closedAt, throttledRecordAttempts, kinesisRecordCount });
  if (result.failedRecordCount > 0) {
    let possibly = 0;
    for (const outcome of outcomes) if (outcome.status === 'failed' && outcome.possiblyWritten) possibly++;
    const maybe = possibly === 0 ? '' : `; ${possibly} of them may have been written (an attempt's outcome was unknown)`;
    logger.warn(`${result.failedRecordCount} of ${result.recordCount} records not written to stream '${streamName}': ${formatCounts(countFailures(outcomes))}${maybe}`);
  }
  return result;
}
