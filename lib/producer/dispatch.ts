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

/**
 * Sends every record of a round; resolves with one outcome per record, in order; rejects only
 * when `signal` aborts. `onAnswer`, if given, hears each record's outcome as soon as its request
 * is answered (per-key ordering settles written records then, so that their keys' next records
 * need not wait for the rest of the round).
 */
export type Dispatch = (waiting: readonly Outgoing[], signal: AbortSignal, onAnswer?: OnAnswer) => Promise<EntryOutcome[]>;

/** Hears the outcome of the record at `index` in a round, as soon as it is known. */
export type OnAnswer = (index: number, outcome: EntryOutcome) => void;

/**
 * Today's sending: the round packed in order into requests ({@link planRequests}), sent one after
 * the other.
 *
 * @param send - The sender.
 * @param limits - Records and bytes per request.
 * @returns The dispatch.
 */
export function dispatchInOrder(send: SendPutRecords, limits: RequestLimits = SERVICE_REQUEST_LIMITS): Dispatch {
  return async (waiting, signal, onAnswer) => {
    const outcomes: EntryOutcome[] = [];
    for (const request of planRequests(waiting, limits)) {
      for (const outcome of await send(request.records, signal)) {
        onAnswer?.(outcomes.length, outcome);
        outcomes.push(outcome);
      }
    }
    return outcomes;
  };
}
