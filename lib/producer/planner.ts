/**
 * Request planning: the one path from records waiting to be sent to `PutRecords` requests within
 * the service limits: in order ({@link planRequests}, and {@link planQueuedRequest} across queued
 * rounds), or by predicted shard, as each shard's budget allows ({@link planShardRequest}, for
 * the shard limiter); under per-key ordering, what may go at all is picked first
 * ({@link planKeyTurns}). With aggregation, user records
 * are first packed into aggregates by `packAggregates` (`aggregation.ts`, once per batch, so that
 * a retry resends the same aggregates), and those Kinesis records are planned here.
 *
 * @module
 */
import type { KeyOrder } from './keyOrder.js';
import type { AcceptedRecord } from './prepareRecord.js';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BODY_BYTES, SERVICE_MAX_BYTES_PER_REQUEST, SERVICE_MAX_REQUEST_BODY_BYTES } from '../kinesis/limits.js';

/** Limits of one `PutRecords` request. */
export interface RequestLimits {
  readonly maxRecords: number;
  /** Data plus partition key bytes, as the service counts them. */
  readonly maxBytes: number;
  /** Bytes of the entries in the HTTP body (base64 data, JSON-quoted keys). */
  readonly maxWireBytes: number;
}

/** Room left in the body for its head and tail (the stream's name or ARN). */
const BODY_FRAME_BYTES = 4 * 1024;

/** The service's limits for one `PutRecords` request, and the local emulators' body limit. */
export const SERVICE_REQUEST_LIMITS: RequestLimits = {
  maxRecords: MAX_RECORDS_PER_REQUEST,
  maxBytes: MAX_BYTES_PER_REQUEST,
  maxWireBytes: MAX_REQUEST_BODY_BYTES - BODY_FRAME_BYTES,
};

/**
 * The limits of one request for a batch: at most `maxRecords` records (`batch.size`, at most 500)
 * and `maxBytes` of data and keys (`batch.maxBytes`: 5 MiB by default, up to the service's 10 MiB
 * when asked), in a body the local emulators accept while requests stay within 5 MiB, the
 * service's body beyond. Requests planned across batches (the shard scheduler) are no larger than
 * one batch's.
 *
 * @param maxRecords - Records per request, at most 500.
 * @param maxBytes - Bytes per request, as resolved from `batch.maxBytes`.
 * @returns The request limits.
 */
export function requestLimitsFor(maxRecords: number, maxBytes: number): RequestLimits {
  const maxWireBytes = (maxBytes <= MAX_BYTES_PER_REQUEST ? MAX_REQUEST_BODY_BYTES : SERVICE_MAX_REQUEST_BODY_BYTES) - BODY_FRAME_BYTES;
  return { maxRecords: Math.min(maxRecords, MAX_RECORDS_PER_REQUEST), maxBytes: Math.min(maxBytes, SERVICE_MAX_BYTES_PER_REQUEST), maxWireBytes };
}

/** A Kinesis record waiting to be sent: a user record as it is, or an aggregate of user records. */
export interface Outgoing {
  readonly record: AcceptedRecord<unknown>;
}

/** The records waiting for one predicted shard, oldest first, from `head` on. */
export interface ShardLane<S extends Outgoing> {
  readonly shardId: string;
  readonly waiting: S[];
  /** The index in `waiting` of the oldest record not yet planned. */
  head: number;
}

/** A record waiting in a {@link ShardLane}: `order` says which came first, across shards. */
export interface Ordered extends Outgoing {
  readonly order: number;
}

/** One request: what it carries (in order), the Kinesis records it sends, and their bytes. */
export interface PlannedRequest<S extends Outgoing> {
  readonly outgoing: readonly S[];
  readonly records: readonly AcceptedRecord<unknown>[];
  readonly bytes: number;
}

/**
 * Packs records, in order, into as few requests as the limits allow: 500 records, 5 MiB of data
 * and keys, and a body the local emulators accept. A record larger than `maxBytes` on its own
 * (possible only with `maxRecordBytes` over 5 MiB) goes in a request alone.
 *
 * @param waiting - Records to send, in the order they should be sent.
 * @param limits - Records and bytes per request.
 * @returns The requests, in order; empty when nothing is waiting.
 */
export function planRequests<S extends Outgoing>(waiting: readonly S[], limits: RequestLimits = SERVICE_REQUEST_LIMITS): PlannedRequest<S>[] {
  const requests: PlannedRequest<S>[] = [];
  let planned = emptyRequest<S>();
  for (const next of waiting) {
    if (!fits(planned, next.record, limits)) {
      requests.push(planned);
      planned = emptyRequest<S>();
    }
    add(planned, next);
  }
  if (planned.outgoing.length > 0) requests.push(planned);
  return requests;
}

/** A request being planned, and the bytes of its entries in the body. */
interface Planning<S extends Outgoing> extends PlannedRequest<S> {
  readonly outgoing: S[];
  readonly records: AcceptedRecord<unknown>[];
  bytes: number;
  wireBytes: number;
}

const emptyRequest = <S extends Outgoing>(): Planning<S> => ({ outgoing: [], records: [], bytes: 0, wireBytes: 0 });

/** Adds a Kinesis record to a request being planned (not what carries it). */
function addRecord(planned: Planning<Outgoing>, record: AcceptedRecord<unknown>): void {
  planned.records.push(record);
  planned.bytes += record.bytes;
  planned.wireBytes += record.wireBytes;
}

/** Adds a record to a request being planned. */
function add<S extends Outgoing>(planned: Planning<S>, next: S): void {
  planned.outgoing.push(next);
  addRecord(planned, next.record);
}

/** Whether one more record fits in a request being planned. */
const fits = (planned: Planning<Outgoing>, record: AcceptedRecord<unknown>, limits: RequestLimits): boolean =>
  planned.records.length === 0 ||
  (planned.records.length < limits.maxRecords && planned.bytes + record.bytes <= limits.maxBytes && planned.wireBytes + record.wireBytes <= limits.maxWireBytes);

/**
 * Plans one request from records waiting by predicted shard: oldest first across shards (so a
 * batch is not held back by later ones), each record only if its shard has room now (`take`,
 * which takes the room). A shard without room is passed over, and its records wait; the others
 * go on. Takes the planned records off their lanes (advances `head`).
 *
 * @example
 * ```ts
 * const request = planShardRequest(lanes.values(), (shardId, bytes) => limiter.take(shardId, bytes));
 * if (request !== undefined) await send(request.records, signal);
 * ```
 * @param lanes - The records waiting, by shard.
 * @param take - Takes room for a record of `bytes` on a shard; `false` when there is none now.
 * @param limits - Records and bytes per request.
 * @returns The request; `undefined` when no waiting record may go now.
 */
export function planShardRequest<S extends Ordered>(
  lanes: Iterable<ShardLane<S>>,
  take: (shardId: string, bytes: number) => boolean,
  limits: RequestLimits = SERVICE_REQUEST_LIMITS,
): PlannedRequest<S> | undefined {
  const ready: ShardLane<S>[] = [];
  for (const lane of lanes) if (lane.head < lane.waiting.length) ready.push(lane);
  const planned = emptyRequest<S>();
  while (ready.length > 0) {
    let oldest = 0;
    for (let index = 1; index < ready.length; index++) if (ready[index]!.waiting[ready[index]!.head]!.order < ready[oldest]!.waiting[ready[oldest]!.head]!.order) oldest = index;
    const lane = ready[oldest]!;
    const next = lane.waiting[lane.head]!;
    if (!fits(planned, next.record, limits)) break;
    if (take(lane.shardId, next.record.bytes)) {
      lane.head++;
      add(planned, next);
      if (lane.head < lane.waiting.length) continue;
    }
    ready.splice(oldest, 1);
  }
  return planned.outgoing.length === 0 ? undefined : { outgoing: planned.outgoing, records: planned.records, bytes: planned.bytes };
}

/** What may be sent now under per-key ordering, from records not yet sent. */
export interface KeyTurns<S extends Outgoing> {
  /** Records whose turn it is, in the order given: the head of each key, and with `together`, the records of its key that follow it here. */
  readonly go: S[];
  /** Records to keep for a later round: an older record of their key is unsettled. */
  readonly wait: S[];
}

/**
 * Plans a round under per-key ordering: picks, among records not yet sent (in the order they
 * entered), those whose key has no older unsettled record. With `together` (aggregation), the
 * records that follow a key's head here go with it, to ride in the same aggregate (the packer
 * defers those that cannot). A doomed head is handed to `settleFailed` at once, and the records
 * behind it are looked at again.
 *
 * @example
 * ```ts
 * const { go, wait } = planKeyTurns(unsent, keyOrder, aggregating, (record) => settleAsPrecedingFailed(record));
 * ```
 * @param unsent - Records never sent, in the order they entered.
 * @param order - The key queues.
 * @param together - Whether a key's following records may go with its head (in one aggregate).
 * @param settleFailed - Settles a doomed head (in `order` too); called before later records are looked at.
 * @returns What goes now, and what waits.
 */
export function planKeyTurns<S extends Outgoing>(
  unsent: readonly S[],
  order: KeyOrder,
  together: boolean,
  settleFailed: (outgoing: S) => void,
): KeyTurns<S> {
  const go: S[] = [];
  const wait: S[] = [];
  const going = together ? new Set<string>() : undefined;
  for (const outgoing of unsent) {
    const key = outgoing.record.partitionKey;
    if (going?.has(key)) {
      go.push(outgoing);
      continue;
    }
    const turn = order.turn(outgoing.record, key);
    if (turn === 'fail') settleFailed(outgoing);
    else if (turn === 'wait') wait.push(outgoing);
    else {
      go.push(outgoing);
      going?.add(key);
    }
  }
  return { go, wait };
}

/** The records of one round queued to be sent in order, without shard prediction, from `next` on. */
export interface QueuedRound {
  readonly waiting: readonly Outgoing[];
  /** The index in `waiting` of the oldest record not yet planned. */
  next: number;
}

/** The records `waiting[start]` to `waiting[end - 1]` of one queued round, in a request. */
export interface PlannedSlice<Q extends QueuedRound> {
  readonly queued: Q;
  readonly start: number;
  readonly end: number;
}

/** One request planned from queued rounds: the Kinesis records it sends, in order, and which rounds' records they are. */
export interface PlannedQueueRequest<Q extends QueuedRound> {
  readonly records: readonly AcceptedRecord<unknown>[];
  readonly bytes: number;
  readonly slices: readonly PlannedSlice<Q>[];
}

/**
 * Plans one request from rounds queued in order, oldest first, as many records as the limits
 * allow (across rounds): the shard scheduler's path while every shard is open, no shard predicted
 * and no budget taken. Advances each round's `next`, and takes the rounds planned to the end off
 * the front of `queue`.
 *
 * @example
 * ```ts
 * const queue = [{ waiting: round, next: 0 }];
 * const request = planQueuedRequest(queue); // request.slices[0]: { queued: queue[0], start: 0, end: 500 }
 * ```
 * @param queue - The rounds waiting, oldest first.
 * @param limits - Records and bytes per request.
 * @returns The request; `undefined` when nothing is queued.
 */
export function planQueuedRequest<Q extends QueuedRound>(queue: Q[], limits: RequestLimits = SERVICE_REQUEST_LIMITS): PlannedQueueRequest<Q> | undefined {
  const planned = emptyRequest<Outgoing>();
  const slices: PlannedSlice<Q>[] = [];
  while (queue.length > 0) {
    const queued = queue[0]!;
    const start = queued.next;
    while (queued.next < queued.waiting.length) {
      const { record } = queued.waiting[queued.next]!;
      if (!fits(planned, record, limits)) break;
      addRecord(planned, record);
      queued.next++;
    }
    if (queued.next > start) slices.push({ queued, start, end: queued.next });
    if (queued.next < queued.waiting.length) break;
    queue.shift();
  }
  return slices.length === 0 ? undefined : { records: planned.records, bytes: planned.bytes, slices };
}
