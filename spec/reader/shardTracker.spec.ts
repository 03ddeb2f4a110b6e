/**
 * Which shards are read, from where, and when.
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { shard } from '../support/stubs.js';
import { ShardTracker } from '../../lib/reader/shardTracker.js';

const ids = (starts: { shardId: string }[]) => starts.map((s) => s.shardId);

describe('which shards are read when', () => {
  // 0 and 1 were merged into 2; 2 was split into 3 and 4; 5 has a parent trimmed away.
  const listing = [shard(0, [], true), shard(1, [], true), shard(2, [0, 1], true), shard(3, [2]), shard(4, [2]), shard(5, [99])];

  it('TRIM_HORIZON: every shard, each after all its parents are read to their end', () => {
    const tracker = new ShardTracker('TRIM_HORIZON');
    tracker.add(listing);
    expect(tracker.ready()).to.deep.equal([
      { shardId: 'shardId-0', position: { type: 'TRIM_HORIZON' } },
      { shardId: 'shardId-1', position: { type: 'TRIM_HORIZON' } },
      { shardId: 'shardId-5', position: { type: 'TRIM_HORIZON' } },
    ]);
    tracker.finish('shardId-0');
    expect(tracker.ready()).to.deep.equal([]);
    tracker.finish('shardId-1');
    expect(ids(tracker.ready())).to.deep.equal(['shardId-2']);
    tracker.finish('shardId-2');
    expect(ids(tracker.ready())).to.deep.equal(['shardId-3', 'shardId-4']);
    expect(tracker.ready()).to.deep.equal([]);
  });

  it('LATEST: the open shards at once, closed ones skipped', () => {
    const tracker = new ShardTracker('LATEST');
    tracker.add(listing);
    expect(tracker.ready()).to.deep.equal([
      { shardId: 'shardId-3', position: { type: 'LATEST' } },
      { shardId: 'shardId-4', position: { type: 'LATEST' } },
      { shardId: 'shardId-5', position: { type: 'LATEST' } },
    ]);
  });

  it('a Date: every shard at that time, parents first', () => {
    const since = new Date(5000);
    const tracker = new ShardTracker(since);
    tracker.add(listing);
    expect(tracker.ready().map((s) => s.position)).to.deep.equal([0, 1, 5].map(() => ({ type: 'AT_TIMESTAMP', timestamp: since })));
  });

  it('shards found by a later listing are read from TRIM_HORIZON once their parents are done; known ones are not read twice', () => {
    const tracker = new ShardTracker('LATEST');
    tracker.add([shard(0)]);
    expect(ids(tracker.ready())).to.deep.equal(['shardId-0']);
    tracker.add([shard(0, [], true), shard(1, [0]), shard(2, [0])]);
    expect(tracker.ready()).to.deep.equal([]);
    tracker.finish('shardId-0');
    expect(tracker.ready()).to.deep.equal([
      { shardId: 'shardId-1', position: { type: 'TRIM_HORIZON' } },
      { shardId: 'shardId-2', position: { type: 'TRIM_HORIZON' } },
    ]);
    tracker.add([shard(0, [], true), shard(1, [0]), shard(2, [0])]);
    expect(tracker.ready()).to.deep.equal([]);
  });
});
