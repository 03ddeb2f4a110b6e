/**
 * Repair after a reshard, with aggregation: an aggregate that landed on another shard than its
 * user records were predicted to (the stream was resharded since the shard map was listed). A
 * consumer that unpacks it with the shard's hash key range (the KCL) would drop the user records
 * whose keys now map to another shard: those are packed again with a fresh shard map and resent,
 * as the KPL does; the others keep the outcome of the aggregate that carried them.
 *
 * @module
 */
import { packAggregates } from './aggregation.js';
import type { PackedAggregate } from './aggregation.js';
import type { Outgoing } from './planner.js';
import type { ShardMapCache } from './shardMapCache.js';
import type { EntryOutcome } from './answer.js';

/** An aggregate written to another shard than predicted. */
export interface Misplaced<S extends Outgoing> {
  readonly aggregate: PackedAggregate<S>;
  /** The answer for it: written, on `shardId`. */
  readonly outcome: EntryOutcome & { readonly ok: true };
}

/** What becomes of the user records of misplaced aggregates. */
export interface Repair<S extends Outgoing> {
  /** User records that stay where their aggregate landed, with its outcome and their index in it. */
  readonly stay: readonly { readonly part: S; readonly outcome: EntryOutcome; readonly aggregate: PackedAggregate<S>; readonly subSequenceNumber: number }[];
  /** Kinesis records to send again: the others, packed anew for the shards their keys map to now. */
  readonly resend: readonly (S | PackedAggregate<S>)[];
  /** User records in `resend`. */
  readonly repackedCount: number;
}

/**
 * Lists the shards again and splits the user records of misplaced aggregates into those that stay
 * and those to pack again. A listing that does not know the shard an aggregate landed on cannot
 * say which records belong there (it lags the reshard): then its records stay. A record is packed
 * again at most once (`alreadyRepacked`, updated here).
 *
 * @param misplaced - Aggregates that landed on another shard than predicted.
 * @param shardMaps - The stream's shard map; invalidated and listed again here.
 * @param maxBytes - Largest aggregate, partition key included.
 * @param alreadyRepacked - User records packed again before, in this batch.
 * @param signal - Aborts the listing.
 * @param defer - With per-key ordering: takes records that cannot travel in their key's aggregate (see `packAggregates`).
 * @returns Which records stay, and what to send again.
 * @throws Only when `signal` is aborted.
 */
export async function repackAfterReshard<S extends Outgoing>(
  misplaced: readonly Misplaced<S>[],
  shardMaps: ShardMapCache,
  maxBytes: number,
  alreadyRepacked: Set<S>,
  signal: AbortSignal,
  defer?: (outgoing: S) => void,
): Promise<Repair<S>> {
  shardMaps.invalidate();
  const shardMap = await shardMaps.get(signal);
  const stay: { part: S; outcome: EntryOutcome; aggregate: PackedAggregate<S>; subSequenceNumber: number }[] = [];
  const repack: S[] = [];
  for (const { aggregate, outcome } of misplaced) {
    const explained = shardMap !== undefined && shardMap.has(outcome.shardId);
    aggregate.parts.forEach((part, subSequenceNumber) => {
      const { partitionKey, explicitHashKey } = part.record;
      if (explained && !alreadyRepacked.has(part) && shardMap.predict(partitionKey, explicitHashKey) !== outcome.shardId) repack.push(part);
      else stay.push({ part, outcome, aggregate, subSequenceNumber });
    });
  }
  for (const part of repack) alreadyRepacked.add(part);
  return { stay, resend: packAggregates(repack, shardMap, maxBytes, defer), repackedCount: repack.length };
}
