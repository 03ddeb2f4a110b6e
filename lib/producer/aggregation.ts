/**
 * Aggregation, the planning step before requests: user records bound for the same shard are
 * packed into KPL aggregates ({@link AggregateBuilder}), each within the record size limit, and the
 * aggregates (and the records that go plain) are then packed into requests by
 * {@link planRequests}. Done once per batch: a retry resends the same aggregates.
 *
 * @module
 */
import type { Outgoing } from './planner.js';
import type { AcceptedRecord } from './prepareRecord.js';
import { AggregateBuilder } from '../kinesis/kpl.js';
import type { ShardMap } from '../kinesis/shardMap.js';
import { entryBytes } from '../kinesis/sizes.js';

/** A Kinesis record that carries an aggregate of user records. */
export interface PackedAggregate<S extends Outgoing> extends Outgoing {
  /** The Kinesis record: the aggregate's bytes, with its first user record's partition and explicit hash keys. */
  readonly record: AcceptedRecord<undefined>;
  /** What it carries, in order: a part's index is its sub-sequence number. */
  readonly parts: readonly S[];
  /** The shard every part was predicted to (`undefined` when packed by key, without a shard map). */
  readonly shardId: string | undefined;
}

/** An aggregate being filled. */
interface OpenAggregate<S extends Outgoing> {
  readonly builder: AggregateBuilder;
  readonly parts: S[];
  /** UTF-8 bytes of its first part's partition key, which becomes the aggregate's own key. */
  readonly keyBytes: number;
}

/** The group of a record when no shard map is known: identical partition and explicit hash keys. */
function keyGroup(record: AcceptedRecord<unknown>): string {
  return record.explicitHashKey === undefined ? `p${record.partitionKey}` : `e${record.explicitHashKey}:${record.partitionKey}`;
}

/**
 * Packs user records into aggregates, by predicted shard (or, without a shard map, by identical
 * keys), in arrival order within each group. An aggregate weighs at most `maxBytes`, counting the
 * magic, the protobuf, the MD5 and its partition key. A record too large to share an aggregate
 * goes plain, after what its group held so far (so records of one key keep their order); so does
 * a group of one record, as the KPL does.
 *
 * With `defer` (per-key ordering), the records of one partition key stay in one Kinesis record,
 * which succeeds or fails as a whole: a record that cannot join the aggregate its key's earlier
 * record went into (it is full, or that record went plain) is handed to `defer`, not packed, and
 * so are the later records of its key.
 *
 * @example
 * ```ts
 * const kinesisRecords = packAggregates(waiting, await shardMaps.get(signal), 1_047_552);
 * for (const request of planRequests(kinesisRecords)) await send(request.records, signal);
 * ```
 * @param waiting - User records, in arrival order.
 * @param shardMap - The stream's open shards; `undefined` to group by identical keys.
 * @param maxBytes - Largest aggregate, partition key included.
 * @param defer - Keeps each partition key's records in one Kinesis record: takes those that cannot join their key's.
 * @returns Kinesis records to send: aggregates, and user records that go plain, as they were.
 */
export function packAggregates<S extends Outgoing>(
  waiting: readonly S[],
  shardMap: ShardMap | undefined,
  maxBytes: number,
  defer?: (outgoing: S) => void,
): (S | PackedAggregate<S>)[] {
  const out: (S | PackedAggregate<S>)[] = [];
  const open = new Map<string, OpenAggregate<S>>();
  /** With `defer`: the aggregate each key's records went into (`undefined`: plain, or deferred). */
  const homes = defer && new Map<string, OpenAggregate<S> | undefined>();
  const close = (group: string, aggregate: OpenAggregate<S>): void => {
    open.delete(group);
    if (aggregate.parts.length === 1) {
      out.push(aggregate.parts[0]!);
      return;
    }
    const first = aggregate.parts[0]!.record;
    const data = aggregate.builder.encode();
    out.push({
      record: {
        accepted: true,
        item: undefined,
        partitionKey: first.partitionKey,
        explicitHashKey: first.explicitHashKey,
        data,
        dataStart: 0,
        dataBytes: data.byteLength,
        bytes: data.byteLength + aggregate.keyBytes,
        wireBytes: entryBytes(data.byteLength, first.partitionKey, first.explicitHashKey),
      },
      parts: aggregate.parts,
      shardId: shardMap === undefined ? undefined : group,
    });
  };
  for (const outgoing of waiting) {
    const { record } = outgoing;
    const group = shardMap === undefined ? keyGroup(record) : shardMap.predict(record.partitionKey, record.explicitHashKey);
    let aggregate = open.get(group);
    const fits = aggregate !== undefined && aggregate.builder.sizeWith(record) + aggregate.keyBytes <= maxBytes;
    if (homes?.has(record.partitionKey)) {
      const home = homes.get(record.partitionKey);
      if (home === undefined || home !== aggregate || !fits) {
        homes.set(record.partitionKey, undefined);
        defer!(outgoing);
        continue;
      }
    }
    if (aggregate !== undefined && !fits) {
      close(group, aggregate);
      aggregate = undefined;
    }
    if (aggregate === undefined) {
      aggregate = { builder: new AggregateBuilder(), parts: [], keyBytes: record.bytes - record.dataBytes };
      if (aggregate.builder.sizeWith(record) + aggregate.keyBytes > maxBytes) {
        homes?.set(record.partitionKey, undefined);
        out.push(outgoing);
        continue;
      }
      open.set(group, aggregate);
    }
    homes?.set(record.partitionKey, aggregate);
    aggregate.builder.add(record);
    aggregate.parts.push(outgoing);
  }
  for (const [group, aggregate] of open) close(group, aggregate);
  return out;
}
