/**
 * Unit tests of shard prediction and of packing user records into aggregates (no network).
 */
import { expect } from 'chai';
import { evenShards as shards } from '../support/stubs.js';
import { decodeAggregate } from '../../lib/kinesis/kpl.js';
import { ShardMap } from '../../lib/kinesis/shardMap.js';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import { packAggregates } from '../../lib/producer/aggregation.js';
import type { PackedAggregate } from '../../lib/producer/aggregation.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';

interface Slot {
  readonly record: AcceptedRecord<string>;
}
const slot = (item: string, partitionKey: string, dataBytes = 10, explicitHashKey?: string): Slot => ({
  record: {
    accepted: true,
    item,
    partitionKey,
    explicitHashKey,
    data: Buffer.alloc(dataBytes, item),
    dataStart: 0,
    dataBytes,
    bytes: dataBytes + Buffer.byteLength(partitionKey),
    wireBytes: entryBytes(dataBytes, partitionKey, explicitHashKey),
  },
});
const isAggregate = (s: Slot | PackedAggregate<Slot>): s is PackedAggregate<Slot> => 'parts' in s;
const itemsOf = (s: Slot | PackedAggregate<Slot>): string[] => (isAggregate(s) ? s.parts.map((p) => p.record.item) : [s.record.item]);

describe('packAggregates', () => {
  const map = ShardMap.fromShards(shards(2))!;

  it('groups records by predicted shard, keeps arrival order inside each aggregate, and encodes them', () => {
    const waiting = Array.from({ length: 40 }, (_, i) => slot(`r${i}`, `key-${i % 9}`));
    const packed = packAggregates(waiting, map, 1_000_000);
    expect(packed.every(isAggregate)).to.equal(true);
    expect(packed.length).to.equal(new Set(waiting.map((s) => map.predict(s.record.partitionKey))).size);
    for (const aggregate of packed as PackedAggregate<Slot>[]) {
      const shard = aggregate.shardId!;
      for (const part of aggregate.parts) expect(map.predict(part.record.partitionKey)).to.equal(shard);
      expect(map.predict(aggregate.record.partitionKey, aggregate.record.explicitHashKey)).to.equal(shard);
      expect(aggregate.record.partitionKey).to.equal(aggregate.parts[0]!.record.partitionKey);
      const decoded = decodeAggregate(aggregate.record.data)!;
      expect(decoded.map((u) => u.partitionKey)).to.deep.equal(aggregate.parts.map((p) => p.record.partitionKey));
      expect(aggregate.record.bytes).to.equal(aggregate.record.data.byteLength + Buffer.byteLength(aggregate.record.partitionKey));
      expect(aggregate.record.wireBytes).to.equal(entryBytes(aggregate.record.data.byteLength, aggregate.record.partitionKey, undefined));
    }
    expect(packed.flatMap(itemsOf).sort()).to.deep.equal(waiting.map((s) => s.record.item).sort());
  });

  it('closes an aggregate at maxBytes (key included), sends a record too large to share plain after its group, and a group of one plain', () => {
    const waiting = [slot('a', 'k', 400), slot('b', 'k', 400), slot('c', 'k', 400), slot('big', 'k', 2000), slot('d', 'k', 10), slot('e', 'other-shard-key', 10)];
    const packed = packAggregates(waiting, undefined, 1024);
    expect(packed.map(itemsOf)).to.deep.equal([['a', 'b'], ['c'], ['big'], ['d'], ['e']]);
    for (const kinesisRecord of packed) expect(kinesisRecord.record.bytes).to.be.at.most(isAggregate(kinesisRecord) ? 1024 : 2001);
    expect(packed.map(isAggregate)).to.deep.equal([true, false, false, false, false]);
  });

  it('without a shard map, packs only identical partition and explicit hash keys', () => {
    const waiting = [slot('a', 'k'), slot('b', 'k', 10, '5'), slot('c', 'k'), slot('d', 'k', 10, '5'), slot('e', 'j'), slot('f', 'k', 10, '6')];
    const packed = packAggregates(waiting, undefined, 1_000_000);
    expect(packed.map(itemsOf)).to.deep.equal([['a', 'c'], ['b', 'd'], ['e'], ['f']]);
    expect((packed[1] as PackedAggregate<Slot>).record.explicitHashKey).to.equal('5');
    expect((packed[0] as PackedAggregate<Slot>).shardId).to.equal(undefined);
  });

  it('fills an aggregate to exactly maxBytes when the records fit', () => {
    // find a data size that makes two records exactly fill maxBytes
    const one = packAggregates([slot('a', 'k', 100), slot('b', 'k', 100)], undefined, 1_000_000)[0]!;
    const exact = one.record.bytes;
    expect(packAggregates([slot('a', 'k', 100), slot('b', 'k', 100)], undefined, exact).map(itemsOf)).to.deep.equal([['a', 'b']]);
    expect(packAggregates([slot('a', 'k', 100), slot('b', 'k', 100)], undefined, exact - 1).map(itemsOf)).to.deep.equal([['a'], ['b']]);
  });
});
