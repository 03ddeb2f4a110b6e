/**
 * Unit tests of shard prediction and of packing user records into aggregates (no network).
 */
import { createHash } from 'node:crypto';
import type { Shard } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { packAggregates } from '../lib/producer/aggregation.js';
import { validateToKinesisConfig } from '../lib/producer/config.js';
import type { KinesisConfigError } from '../lib/shared/errors.js';
import { resolveSettings } from '../lib/producer/settings.js';
import type { PackedAggregate } from '../lib/producer/aggregation.js';
import { decodeAggregate } from '../lib/kinesis/kpl.js';
import type { AcceptedRecord } from '../lib/producer/prepareRecord.js';
import { entryBytes } from '../lib/kinesis/sizes.js';
import { recordingLogger } from './support/collect.js';
import { DEFAULT_AGGREGATE_MAX_BYTES, MAX_AGGREGATED_BATCH_SIZE } from '../lib/producer/defaults.js';
import { hashKeyOf, ShardMap } from '../lib/kinesis/shardMap.js';
import { ShardMapCache } from '../lib/producer/shardMapCache.js';

const TOP = 2n ** 128n;
/** `count` open shards splitting the hash key space evenly (as CreateStream does), plus a closed parent. */
function shards(count: number): Shard[] {
  const open = Array.from({ length: count }, (_, i): Shard => ({
    ShardId: `shard-${i}`,
    HashKeyRange: { StartingHashKey: String((TOP / BigInt(count)) * BigInt(i)), EndingHashKey: String(i === count - 1 ? TOP - 1n : (TOP / BigInt(count)) * BigInt(i + 1) - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  }));
  const closed: Shard = { ShardId: 'shard-closed', HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(TOP - 1n) }, SequenceNumberRange: { StartingSequenceNumber: '0', EndingSequenceNumber: '1' } };
  return [closed, ...open.reverse()];
}

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
    bytes: dataBytes + Buffer.byteLength(partitionKey),
    wireBytes: entryBytes(dataBytes, partitionKey, explicitHashKey),
  },
});
const isAggregate = (s: Slot | PackedAggregate<Slot>): s is PackedAggregate<Slot> => 'parts' in s;
const itemsOf = (s: Slot | PackedAggregate<Slot>): string[] => (isAggregate(s) ? s.parts.map((p) => p.record.item) : [s.record.item]);

describe('shard prediction', () => {
  it('hashes the partition key with MD5 as a 128-bit big-endian integer; an explicit hash key wins', () => {
    expect(hashKeyOf('abc')).to.equal(BigInt(`0x${createHash('md5').update('abc').digest('hex')}`));
    expect(hashKeyOf('ключ')).to.equal(BigInt(`0x${createHash('md5').update(Buffer.from('ключ', 'utf8')).digest('hex')}`));
    expect(hashKeyOf('abc', '12345')).to.equal(12345n);
  });

  it('predicts the open shard whose range holds the hash, ignoring closed shards', () => {
    const map = ShardMap.fromShards(shards(4))!;
    expect(map.shardCount).to.equal(4);
    expect(map.predict('x', '0')).to.equal('shard-0');
    expect(map.predict('x', String(TOP / 4n - 1n))).to.equal('shard-0');
    expect(map.predict('x', String(TOP / 4n))).to.equal('shard-1');
    expect(map.predict('x', String(TOP - 1n))).to.equal('shard-3');
    for (const key of ['a', 'b', 'customer-17', '🔑']) {
      expect(map.predict(key)).to.equal(`shard-${hashKeyOf(key) / (TOP / 4n) > 3n ? 3 : hashKeyOf(key) / (TOP / 4n)}`);
    }
    expect(ShardMap.fromShards([])).to.equal(undefined);
  });

  it('lists once for concurrent callers, again after invalidate; after a failure warns once and lists again a minute later', async () => {
    let lists = 0;
    const cache = new ShardMapCache(async () => (lists++, shards(2)), recordingLogger(), 's');
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([cache.get(signal), cache.get(signal)]);
    expect(a).to.equal(b);
    expect(lists).to.equal(1);
    cache.invalidate();
    await cache.get(signal);
    expect(lists).to.equal(2);

    const logger = recordingLogger();
    let denied = 0;
    let now = 0;
    const failing = new ShardMapCache(async () => {
      denied++;
      throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    }, logger, 's', () => now);
    expect(await failing.get(signal)).to.equal(undefined);
    failing.invalidate();
    now = 59_999;
    expect(await failing.get(signal)).to.equal(undefined);
    expect(denied).to.equal(1);
    now = 60_000;
    expect(await failing.get(signal)).to.equal(undefined);
    expect(denied).to.equal(2);
    expect(logger.lines.map((l) => l.level)).to.deep.equal(['warn']);
  });
});

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

describe('the aggregation setting', () => {
  const problemsOf = (config: unknown): string[] => {
    try {
      validateToKinesisConfig(config);
      return [];
    } catch (error) {
      return (error as KinesisConfigError).problems.slice();
    }
  };

  it('accepts true, false and { maxBytes } and refuses anything else by its path', () => {
    expect(problemsOf({ streamName: 's', aggregation: true })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', aggregation: false })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', aggregation: { maxBytes: 64 * 1024 } })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', aggregation: 'yes' })).to.deep.equal(["aggregation: 'yes' is not true, false or { maxBytes? }"]);
    expect(problemsOf({ streamName: 's', aggregation: { maxBytes: 10 } })).to.deep.equal(['aggregation.maxBytes: 10 is not a whole number of bytes from 1024 to 10485760 (10 MiB)']);
    expect(problemsOf({ streamName: 's', aggregation: { size: 10 } })[0]).to.match(/^aggregation\.size: unknown field \(known: maxBytes\)/);
    expect(problemsOf({ streamName: 's', aggregation: { maxBytes: 2 * 1024 * 1024 } })).to.deep.equal(['aggregation.maxBytes: 2097152 is over maxRecordBytes (1048576)']);
    expect(problemsOf({ streamName: 's', maxRecordBytes: 4 * 1024 * 1024, aggregation: { maxBytes: 2 * 1024 * 1024 } })).to.deep.equal([]);
  });

  it('defaults maxBytes to just under 1 MiB (or maxRecordBytes), and lifts the batch.size cap to 50,000', () => {
    expect(resolveSettings({ streamName: 's', aggregation: true, logger: recordingLogger() }).aggregation).to.deep.equal({ maxBytes: DEFAULT_AGGREGATE_MAX_BYTES });
    expect(resolveSettings({ streamName: 's', aggregation: {}, maxRecordBytes: 4096, logger: recordingLogger() }).aggregation).to.deep.equal({ maxBytes: 4096 });
    expect(resolveSettings({ streamName: 's', logger: recordingLogger() }).aggregation).to.equal(undefined);
    expect(resolveSettings({ streamName: 's', aggregation: true, batch: { size: 20_000 }, logger: recordingLogger() }).batch.maxCount).to.equal(20_000);
    const logger = recordingLogger();
    expect(resolveSettings({ streamName: 's', aggregation: true, batch: { size: 80_000 }, logger }).batch.maxCount).to.equal(MAX_AGGREGATED_BATCH_SIZE);
    expect(logger.lines).to.have.length(1);
    expect(resolveSettings({ streamName: 's', batch: { size: 20_000 }, logger: recordingLogger() }).batch.maxCount).to.equal(500);
  });
});
