/**
 * Dispatch: how one round of a batch's Kinesis records reaches the sender. In order, request
 * after request ({@link dispatchInOrder}: `shardLimit: false`), or through the subscription's
 * {@link ShardScheduler}, which holds each record until its shard has room. Either way the round
 * resolves with one outcome per record, in the order given; delivery (`delivery.ts`) decides what
 * to retry.
 *
 * @module
 */
import type { EntryOutcome } from './answer.js';
import { planRequests, SERVICE_REQUEST_LIMITS } from './planner.js';
import type { Outgoing, RequestLimits } from './planner.js';
import type { SendPutRecords } from './sender.js';

/** Sends every record of a round; resolves with one outcome per record, in order; rejects only when `signal` aborts. */
export type Dispatch = (waiting: readonly Outgoing[], signal: AbortSignal) => Promise<EntryOutcome[]>;

/**
 * Today's sending: the round packed in order into requests ({@link planRequests}), sent one after
 * the other.
 *
 * @param send - The sender.
 * @param limits - Records and bytes per request.
 * @returns The dispatch.
 */
export function dispatchInOrder(send: SendPutRecords, limits: RequestLimits = SERVICE_REQUEST_LIMITS): Dispatch {
  return async (waiting, signal) => {
    const outcomes: EntryOutcome[] = [];
    for (const request of planRequests(waiting, limits)) for (const outcome of await send(request.records, signal)) outcomes.push(outcome);
    return outcomes;
  };
}
