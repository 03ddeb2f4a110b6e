/**
 * Delivery of one batch: plan requests, send them, retry what failed with a retryable error, and
 * report exactly one outcome per item.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { packAggregates } from './aggregation.js';
import type { AggregateSlot } from './aggregation.js';
import type { Logger } from '../shared/codecs.js';
import { planRequests } from './planner.js';
import type { Sendable } from './planner.js';
import type { EntryOutcome, SendPutRecords } from './sender.js';
import type { AcceptedRecord, PreparedRecord } from './prepareRecord.js';
import { batchResult, failedRecord, summarizeFailures } from './results.js';
import type { KinesisBatchResult, KinesisRecordResult } from './results.js';
import { backoffDelay } from '../shared/retry.js';
import type { RetryPolicy } from '../shared/retry.js';
import type { ShardMapCache } from './shardMap.js';

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
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /** Pack user records into KPL aggregates; `undefined`: send each record as it is. */
  readonly aggregation?: DeliveryAggregation | undefined;
}

/** A record waiting for its outcome, and where it stands in its batch. */
interface Slot<T> extends Sendable {
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
  const outcomes = new Array<KinesisRecordResult<T>>(batch.length);
  const slots: Slot<T>[] = [];
  let bytes = 0;
  batch.forEach((record, position) => {
    if (record.accepted) {
      slots.push({ record, position });
      bytes += record.bytes;
    } else {
      outcomes[position] = failedRecord(record.item, record.partitionKey, record.errorCode, record.errorMessage, 0);
    }
  });

  let waiting: (Slot<T> | AggregateSlot<Slot<T>>)[] = slots;
  let kinesisRecordCount: number | undefined;
  if (aggregation !== undefined) {
    if (slots.length > 0) waiting = packAggregates(slots, await aggregation.shardMaps.get(signal), aggregation.maxBytes);
    kinesisRecordCount = waiting.length;
  }
  let attempts = 0;
  /** User records already packed again after a reshard: never a second time. */
  const repacked = new Set<Slot<T>>();
  /** The outcome of one user record from its Kinesis record's. */
  const settle = (slot: Slot<T>, result: EntryOutcome, subSequenceNumber?: number): void => {
    const { item, partitionKey } = slot.record;
    if (!result.ok) outcomes[slot.position] = failedRecord(item, partitionKey, result.errorCode, result.errorMessage, attempts);
    else if (subSequenceNumber === undefined) outcomes[slot.position] = { status: 'ok', item, partitionKey, shardId: result.shardId, sequenceNumber: result.sequenceNumber, attempts };
    else outcomes[slot.position] = { status: 'ok', item, partitionKey, shardId: result.shardId, sequenceNumber: result.sequenceNumber, subSequenceNumber, attempts };
  };

  while (waiting.length > 0) {
    if (attempts > 0) {
      const delay = backoffDelay(retry, attempts);
      logger.debug(`retrying ${waiting.length} records to stream '${streamName}' in ${Math.round(delay)} ms (attempt ${attempts + 1} of ${retry.maxAttempts})`);
      await sleep(delay, undefined, { signal });
    }
    attempts++;
    const again: typeof waiting = [];
    const misplaced: { readonly aggregate: AggregateSlot<Slot<T>>; readonly result: EntryOutcome }[] = [];
    for (const request of planRequests(waiting)) {
      const results = await send(request.records, signal);
      request.members.forEach((slot, index) => {
        const result = results[index]!;
        if (!result.ok && result.retryable && attempts < retry.maxAttempts) again.push(slot);
        else if (!('parts' in slot)) settle(slot, result);
        else if (result.ok && slot.shardId !== undefined && slot.shardId !== result.shardId && attempts < retry.maxAttempts) misplaced.push({ aggregate: slot, result });
        else slot.parts.forEach((part, subSequenceNumber) => settle(part, result, subSequenceNumber));
      });
    }
    if (misplaced.length > 0) {
      // An aggregate landed on another shard than predicted: the stream was resharded. A consumer
      // that unpacks it with the shard's hash key range (the KCL) would drop the records whose keys
      // now map to another shard: those are packed again with the new shard map and resent.
      aggregation!.shardMaps.invalidate();
      const shardMap = await aggregation!.shardMaps.get(signal);
      const repack: Slot<T>[] = [];
      for (const { aggregate, result } of misplaced) {
        // A map that does not know the shard the aggregate landed on cannot say which records
        // belong there (a listing that lags the reshard): then the records stay where they are.
        const explained = result.ok && shardMap !== undefined && shardMap.has(result.shardId);
        aggregate.parts.forEach((part, subSequenceNumber) => {
          const { partitionKey, explicitHashKey } = part.record;
          if (explained && !repacked.has(part) && shardMap.predict(partitionKey, explicitHashKey) !== result.shardId) repack.push(part);
          else settle(part, result, subSequenceNumber);
        });
      }
      if (repack.length > 0) logger.warn(`stream '${streamName}' was resharded: ${repack.length} records whose aggregate landed on a shard their keys do not map to are sent again`);
      for (const part of repack) repacked.add(part);
      const packed = packAggregates(repack, shardMap, aggregation!.maxBytes);
      kinesisRecordCount! += packed.length;
      again.push(...packed);
    }
    waiting = again;
  }

  const result = batchResult(streamName, outcomes, attempts, bytes, closedAt, kinesisRecordCount);
  if (result.failedRecordCount > 0) {
    logger.warn(`${result.failedRecordCount} of ${result.recordCount} records not written to stream '${streamName}': ${summarizeFailures(outcomes)}`);
  }
  return result;
}
