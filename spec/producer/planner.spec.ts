import { expect } from 'chai';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import { planQueuedRequest, planRequests, planShardRequest, SERVICE_REQUEST_LIMITS } from '../../lib/producer/planner.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';

const record = (bytes: number, partitionKey = 'k'): { record: AcceptedRecord<number> } => ({
  record: { accepted: true, item: bytes, partitionKey, explicitHashKey: undefined, data: new Uint8Array(bytes - partitionKey.length), dataStart: 0, dataBytes: bytes - partitionKey.length, bytes, wireBytes: entryBytes(bytes - partitionKey.length, partitionKey, undefined) },
});

describe('planRequests', () => {
  it('plans nothing for nothing', () => {
    expect(planRequests([])).to.deep.equal([]);
  });

  it('packs at most 500 records per request, in order', () => {
    const waiting = Array.from({ length: 1203 }, () => record(10));
    const requests = planRequests(waiting);
    expect(requests.map((r) => r.records.length)).to.deep.equal([500, 500, 203]);
    expect(requests.flatMap((r) => r.outgoing)).to.deep.equal(waiting);
  });

  it('keeps every request within 5 MiB, counting data and key', () => {
    const waiting = Array.from({ length: 20 }, () => record(600 * 1024));
    const requests = planRequests(waiting);
    expect(requests.map((r) => r.records.length)).to.deep.equal([8, 8, 4]);
    for (const request of requests) expect(request.bytes).to.be.at.most(SERVICE_REQUEST_LIMITS.maxBytes);
  });

  it('sends a record over the request limit alone', () => {
    const requests = planRequests([record(10), record(6 * 1024 * 1024), record(10)]);
    expect(requests.map((r) => r.records.length)).to.deep.equal([1, 1, 1]);
  });


  it('keeps the HTTP body under the emulators\' 7 MiB when JSON escaping lengthens the keys', () => {
    const key = '\u0001'.repeat(256); // each character is 6 bytes in JSON
    const waiting = Array.from({ length: 500 }, () => record(10_256, key));
    const requests = planRequests(waiting);
    expect(requests.length).to.equal(2);
    for (const request of requests) {
      expect(request.bytes).to.be.at.most(SERVICE_REQUEST_LIMITS.maxBytes);
      expect(request.records.reduce((sum, r) => sum + r.wireBytes, 0)).to.be.at.most(SERVICE_REQUEST_LIMITS.maxWireBytes);
    }
  });
});

describe('planShardRequest', () => {
  /** A lane of records for `shardId`, arrival numbers as given. */
  const lane = (shardId: string, orders: number[], bytes = 10) => ({
    shardId,
    waiting: orders.map((order) => ({ ...record(bytes, `${shardId}-${order}`), order })),
    head: 0,
  });
  const orders = (request: { outgoing: readonly { order: number }[] } | undefined) => request?.outgoing.map((entry) => entry.order);

  it('takes records oldest first across shards, as long as their shard has room', () => {
    const lanes = [lane('a', [0, 2, 4]), lane('b', [1, 3, 5])];
    expect(orders(planShardRequest(lanes, () => true))).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(lanes.map((l) => l.head)).to.deep.equal([3, 3]);
    expect(planShardRequest(lanes, () => true)).to.equal(undefined);
  });

  it('passes over a shard without room, whose records wait, and goes on with the others', () => {
    const lanes = [lane('slow', [0, 1, 2]), lane('fast', [3, 4])];
    let room = 1;
    const take = (shardId: string): boolean => shardId === 'fast' || room-- > 0;
    expect(orders(planShardRequest(lanes, take))).to.deep.equal([0, 3, 4]);
    expect(lanes.map((l) => l.head)).to.deep.equal([1, 2]);
    expect(planShardRequest(lanes, take)).to.equal(undefined);
  });

  it('stops at the request limits, and takes no room for what it leaves', () => {
    const lanes = [lane('a', Array.from({ length: 600 }, (_, i) => i))];
    let taken = 0;
    const request = planShardRequest(lanes, () => (taken++, true));
    expect(request!.records).to.have.length(500);
    expect(taken).to.equal(500);
  });
});

describe('planQueuedRequest', () => {
  it('plans nothing for nothing', () => {
    expect(planQueuedRequest([])).to.equal(undefined);
  });

  it('fills each request across queued rounds, in order, and takes the rounds planned to the end off the queue', () => {
    const rounds = [300, 300, 450].map((count) => ({ waiting: Array.from({ length: count }, () => record(10)), next: 0 }));
    const queue = [...rounds];
    const first = planQueuedRequest(queue)!;
    expect(first.records).to.have.length(500);
    expect(first.slices.map(({ queued, start, end }) => [rounds.indexOf(queued), start, end])).to.deep.equal([
      [0, 0, 300],
      [1, 0, 200],
    ]);
    expect(first.records).to.deep.equal([...rounds[0]!.waiting, ...rounds[1]!.waiting.slice(0, 200)].map((outgoing) => outgoing.record));
    expect(queue).to.have.length(2);
    const second = planQueuedRequest(queue)!;
    expect(second.slices.map(({ queued, start, end }) => [rounds.indexOf(queued), start, end])).to.deep.equal([
      [1, 200, 300],
      [2, 0, 400],
    ]);
    const third = planQueuedRequest(queue)!;
    expect(third.slices.map(({ queued, start, end }) => [rounds.indexOf(queued), start, end])).to.deep.equal([[2, 400, 450]]);
    expect(queue).to.have.length(0);
    expect(planQueuedRequest(queue)).to.equal(undefined);
  });

  it('keeps each request within the byte limit, a record over it alone', () => {
    const queue = [{ waiting: [record(3 * 1024 * 1024), record(3 * 1024 * 1024), record(6 * 1024 * 1024), record(10)], next: 0 }];
    const sizes: number[] = [];
    for (let request = planQueuedRequest(queue); request !== undefined; request = planQueuedRequest(queue)) sizes.push(request.records.length);
    expect(sizes).to.deep.equal([1, 1, 1, 1]);
  });
});
