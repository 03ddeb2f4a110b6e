/**
 * Shard prediction: the hash key of a record and the open shard whose range holds it.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { recordingLogger } from '../support/collect.js';
import { evenShards as shards, TOP } from '../support/stubs.js';
import { hashKeyOf, ShardMap } from '../../lib/kinesis/shardMap.js';
import { ShardMapCache } from '../../lib/producer/shardMapCache.js';

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
