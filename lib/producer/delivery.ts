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
import type { Outgoing } from './planner.js';
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
  const { streamName, send, retry, logger, aggregation } = options;
  const dispatch = options.dispatch ?? dispatchInOrder(send);
  const outcomes = new Array<KinesisRecordResult<T>>(batch.length);
  const pending: PendingRecord<T>[] = [];
  let bytes = 0;
  batch.forEach((record, position) => {
    if (record.accepted) {
      pending.push({ record, position });
      bytes += record.bytes;
    } else {
      outcomes[position] = failedRecord(record.item, record.partitionKey, record.errorCode, record.errorMessage, 0);
    }
  });

  let waiting: (PendingRecord<T> | PackedAggregate<PendingRecord<T>>)[] = pending;
  let kinesisRecordCount: number | undefined;
  if (aggregation !== undefined) {
    if (pending.length > 0) waiting = packAggregates(pending, await aggregation.shardMaps.get(signal), aggregation.maxBytes);
    kinesisRecordCount = waiting.length;
  }
  let attempts = 0;
  /** Attempts of user records that came back throttled. */
  let throttledRecordAttempts = 0;
  /** User records already packed again after a reshard: never a second time. */
  const repacked = new Set<PendingRecord<T>>();
  /** Kinesis records (and user records) that an attempt may have written: an outcome was unknown, or a reshard moved them. */
  const maybeWritten = new Set<Outgoing>();
  /** The outcome of one user record from its Kinesis record's (`carrier`: the aggregate that carried it, if any). */
  const settle = (user: PendingRecord<T>, result: EntryOutcome, carrier?: Outgoing, subSequenceNumber?: number): void => {
    const { item, partitionKey } = user.record;
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

  while (waiting.length > 0) {
    if (attempts > 0) {
      const delay = backoffDelay(retry, attempts);
      logger.debug(`retrying ${waiting.length} records to stream '${streamName}' in ${Math.round(delay)} ms (attempt ${attempts + 1} of ${retry.maxAttempts})`);
      await sleep(delay, signal);
    }
    attempts++;
    const retryNext: typeof waiting = [];
    const misplaced: Misplaced<PendingRecord<T>>[] = [];
    const results = await dispatch(waiting, signal);
    waiting.forEach((sent, index) => {
      const result = results[index]!;
      if (!result.ok && result.errorCode === THROTTLED_ERROR_CODE) throttledRecordAttempts += 'parts' in sent ? sent.parts.length : 1;
      if (!result.ok && result.possiblyWritten) maybeWritten.add(sent);
      if (!result.ok && result.retryable && attempts < retry.maxAttempts) retryNext.push(sent);
      else if (!('parts' in sent)) settle(sent, result);
      else if (result.ok && sent.shardId !== undefined && sent.shardId !== result.shardId && attempts < retry.maxAttempts) misplaced.push({ aggregate: sent, outcome: result });
      else sent.parts.forEach((part, subSequenceNumber) => settle(part, result, sent, subSequenceNumber));
    });
    if (misplaced.length > 0) {
      const repair = await repackAfterReshard(misplaced, aggregation!.shardMaps, aggregation!.maxBytes, repacked, signal);
      for (const { part, outcome, aggregate, subSequenceNumber } of repair.stay) settle(part, outcome, aggregate, subSequenceNumber);
      // Packed again, they were written all the same, inside an aggregate on another shard.
      for (const resent of repair.resend) for (const part of 'parts' in resent ? resent.parts : [resent]) maybeWritten.add(part);
      if (repair.repackedCount > 0) {
        logger.warn(`stream '${streamName}' was resharded: ${repair.repackedCount} records whose aggregate landed on a shard their keys do not map to are sent again`);
      }
      kinesisRecordCount! += repair.resend.length;
      retryNext.push(...repair.resend);
    }
    waiting = retryNext;
  }

  const result = batchResult(streamName, outcomes, { attempts, bytes, closedAt, throttledRecordAttempts, kinesisRecordCount });
  if (result.failedRecordCount > 0) {
    let possibly = 0;
    for (const outcome of outcomes) if (outcome.status === 'failed' && outcome.possiblyWritten) possibly++;
    const maybe = possibly === 0 ? '' : `; ${possibly} of them may have been written (an attempt's outcome was unknown)`;
    logger.warn(`${result.failedRecordCount} of ${result.recordCount} records not written to stream '${streamName}': ${formatCounts(countFailures(outcomes))}${maybe}`);
  }
  return result;
}
