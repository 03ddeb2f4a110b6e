/**
 * Delivery of one batch: plan requests, send them, retry what failed with a retryable error, and
 * report exactly one outcome per item.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './config.js';
import { planRequests } from './planner.js';
import type { Sendable } from './planner.js';
import type { SendPutRecords } from './putRecords.js';
import type { AcceptedRecord, PreparedRecord } from './records.js';
import { batchResult, failedRecord, summarizeFailures } from './results.js';
import type { KinesisBatchResult, KinesisRecordResult } from './results.js';
import { backoffDelay } from './retry.js';
import type { RetryPolicy } from './retry.js';

/** What delivering a batch needs. */
export interface DeliveryOptions {
  readonly streamName: string;
  readonly send: SendPutRecords;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
}

/** A record waiting for its outcome, and where it stands in its batch. */
interface Slot<T> extends Sendable {
  readonly record: AcceptedRecord<T>;
  readonly position: number;
}

/**
 * Delivers one batch and reports it. Records that fail with a retryable error are sent again,
 * alone, after a backoff, until they succeed or `retry.maxAttempts` is reached; records that
 * succeeded are never resent.
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
  const { streamName, send, retry, logger } = options;
  const outcomes = new Array<KinesisRecordResult<T>>(batch.length);
  let waiting: Slot<T>[] = [];
  let bytes = 0;
  batch.forEach((record, position) => {
    if (record.accepted) {
      waiting.push({ record, position });
      bytes += record.bytes;
    } else {
      outcomes[position] = failedRecord(record.item, record.partitionKey, record.errorCode, record.errorMessage, 0);
    }
  });

  let attempts = 0;
  while (waiting.length > 0) {
    if (attempts > 0) {
      const delay = backoffDelay(retry, attempts);
      logger.debug(`retrying ${waiting.length} records to stream '${streamName}' in ${Math.round(delay)} ms (attempt ${attempts + 1} of ${retry.maxAttempts})`);
      await sleep(delay, undefined, { signal });
    }
    attempts++;
    const again: Slot<T>[] = [];
    for (const request of planRequests(waiting)) {
      const results = await send(request.records, signal);
      request.members.forEach((slot, index) => {
        const result = results[index]!;
        const { item, partitionKey } = slot.record;
        if (result.ok) {
          outcomes[slot.position] = { status: 'ok', item, partitionKey, shardId: result.shardId, sequenceNumber: result.sequenceNumber, attempts };
        } else if (result.retryable && attempts < retry.maxAttempts) {
          again.push(slot);
        } else {
          outcomes[slot.position] = failedRecord(item, partitionKey, result.errorCode, result.errorMessage, attempts);
        }
      });
    }
    waiting = again;
  }

  const result = batchResult(streamName, outcomes, attempts, bytes, closedAt);
  if (result.failedRecordCount > 0) {
    logger.warn(`${result.failedRecordCount} of ${result.recordCount} records not written to stream '${streamName}': ${summarizeFailures(outcomes)}`);
  }
  return result;
}
