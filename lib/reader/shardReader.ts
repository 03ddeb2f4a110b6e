/**
 * Reading one shard: an iterator from the starting position, then `GetRecords` in a loop, each
 * page emitted before the next call, until the shard is read to its end (a closed shard: no
 * `NextShardIterator`). Retryable failures are retried with exponential backoff and full jitter;
 * an expired iterator is replaced by one after the last record emitted, or, before any was, by
 * one where the first iterator began.
 *
 * @module
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, Shard } from '@aws-sdk/client-kinesis';
import { readRecords } from './readRecords.js';
import type { KinesisReadRecord } from './readRecords.js';
import { errorCodeOf } from '../kinesis/errorCodes.js';
import { MIN_POLL_INTERVAL_MS } from '../kinesis/limits.js';
import { listShards } from '../kinesis/listShards.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';
import type { ClientLease } from '../shared/client.js';
import { withDeadline } from '../shared/deadline.js';
import { sleep, withRetry } from '../shared/retry.js';
import type { RetryOptions } from '../shared/retry.js';

/** Where reading a shard starts (the `ShardIteratorType` of `GetShardIterator`, with its argument). */
export type ShardPosition =
  | { readonly type: 'TRIM_HORIZON' | 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/**
 * A position, for the debug log.
 *
 * @param position - Where reading starts.
 * @returns Its iterator type, with its timestamp or sequence number.
 */
export function describePosition(position: ShardPosition): string {
  return position.type === 'AT_TIMESTAMP'
    ? `AT_TIMESTAMP ${position.timestamp.toISOString()}`
    : position.type === 'AFTER_SEQUENCE_NUMBER'
      ? `AFTER_SEQUENCE_NUMBER ${position.sequenceNumber}`
      : position.type;
}

/** The three calls a reader makes; {@link kinesisShardApi} makes them with a `KinesisClient`. */
export interface ShardApi {
  /** Every shard of the stream (`ListShards`, every page). */
  listShards(signal: AbortSignal): Promise<Shard[]>;
  /** An iterator at `position` in the shard (`GetShardIterator`). */
  getShardIterator(shardId: string, position: ShardPosition, signal: AbortSignal): Promise<string | undefined>;
  /** One page of records (`GetRecords`). */
  getRecords(iterator: string, limit: number, signal: AbortSignal): Promise<Pick<GetRecordsCommandOutput, 'Records' | 'NextShardIterator' | 'MillisBehindLatest'>>;
}

/**
 * The reader's calls, made with a client on one stream, each within the lease's deadline
 * (`requestTimeout`, from sending to the complete answer).
 *
 * @param lease - The Kinesis client and its deadline.
 * @param target - The stream's name or ARN.
 * @returns The calls.
 */
export function kinesisShardApi(lease: ClientLease, target: StreamTarget): ShardApi {
  const { client, requestTimeoutMs } = lease;
  const arn = target.StreamARN === undefined ? {} : { StreamARN: target.StreamARN };
  const timed = <R>(call: (signal: AbortSignal) => Promise<R>, signal: AbortSignal): Promise<R> => withDeadline(call, signal, requestTimeoutMs);
  return {
    listShards: (signal) => timed((deadline) => listShards(client, target, deadline), signal),
    getShardIterator: async (shardId, position, signal) => {
      const where =
        position.type === 'AT_TIMESTAMP'
          ? { Timestamp: position.timestamp }
          : position.type === 'AFTER_SEQUENCE_NUMBER'
            ? { StartingSequenceNumber: position.sequenceNumber }
            : {};
      const command = new GetShardIteratorCommand({ ...target, ShardId: shardId, ShardIteratorType: position.type, ...where });
      const answer = await timed((deadline) => client.send(command, { abortSignal: deadline }), signal);
      return answer.ShardIterator;
    },
    getRecords: (iterator, limit, signal) =>
      timed((deadline) => client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit, ...arn }), { abortSignal: deadline }), signal),
  };
}

/** How one shard is read. */
export interface ShardReadOptions extends RetryOptions {
  /** Records asked for per `GetRecords` call. */
  readonly limit: number;
  /** The wait between calls once the shard has caught up. */
  readonly pollIntervalMs: number;
  /** Called with each record, in order, synchronously as its page arrives. */
  readonly emit: (record: KinesisReadRecord) => void;
  /** The wall clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * Where to resume a shard whose iterator expired before any record of it was emitted: where its
 * first iterator began. `LATEST` names no fixed place (a new `LATEST` iterator would skip what was
 * written since), so it becomes `AT_TIMESTAMP` at `startedAt`, the time just before the first
 * iterator was asked for: the records that arrived since then, by the service's clock (see
 * `startingPosition` for what a clock skew does). Other positions are fixed already.
 *
 * @param start - Where reading the shard started.
 * @param startedAt - The wall-clock time just before its first `GetShardIterator`.
 * @returns The position to ask a new iterator for.
 */
export function resumePosition(start: ShardPosition, startedAt: number): ShardPosition {
  return start.type === 'LATEST' ? { type: 'AT_TIMESTAMP', timestamp: new Date(startedAt) } : start;
}

/**
 * Reads a shard from `start` to its end, emitting every record in sequence order (aggregates
 * unpacked). After a full page, or while the shard is behind the tip, the next call comes after
 * 200 ms (the service's 5 calls per second per shard); otherwise after `pollIntervalMs`. Only one
 * request is in flight per shard, and the next one starts after the page was emitted.
 *
 * An expired iterator (`ExpiredIteratorException`) is replaced by one after the last record
 * emitted (`AFTER_SEQUENCE_NUMBER`), or, when none was, by one at {@link resumePosition}: nothing
 * is skipped and nothing read twice.
 *
 * @param api - The Kinesis calls.
 * @param shardId - The shard.
 * @param start - Where to start in it.
 * @param options - Page size, poll interval, retries, abort signal, and where records go.
 * @returns When the shard is closed and read to its end. An open shard is read until aborted.
 * @throws The first error that is not retried (or retried in vain); an `AbortError` once aborted.
 */
export async function readShard(api: ShardApi, shardId: string, start: ShardPosition, options: ShardReadOptions): Promise<void> {
  const { signal, logger, limit, pollIntervalMs, emit, sleep: wait = sleep, now = Date.now } = options;
  const resume = resumePosition(start, now());
  let last: string | undefined;
  const iterator = (position: ShardPosition): Promise<string | undefined> =>
    withRetry(() => api.getShardIterator(shardId, position, signal), `GetShardIterator on ${shardId}`, options);
  let next = await iterator(start);
  while (next !== undefined) {
    const current = next;
    let page;
    try {
      page = await withRetry(() => api.getRecords(current, limit, signal), `GetRecords on ${shardId}`, options);
    } catch (error) {
      if (signal.aborted || errorCodeOf(error) !== 'ExpiredIteratorException') throw error;
      const position: ShardPosition = last === undefined ? resume : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last };
      logger.debug(`the iterator of ${shardId} expired; a new one starts at ${describePosition(position)}`);
      next = await iterator(position);
      continue;
    }
    const records = page.Records ?? [];
    for (const record of records) {
      for (const read of readRecords(record, shardId)) emit(read);
      last = record.SequenceNumber;
    }
    next = page.NextShardIterator;
    if (next === undefined) return;
    const behind = records.length >= limit || (page.MillisBehindLatest ?? 0) > 0;
    await wait(behind ? MIN_POLL_INTERVAL_MS : pollIntervalMs, signal);
  }
}
