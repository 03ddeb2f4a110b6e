/**
 * toKinesis against a real Kinesis implementation (kinesalite, in process), reading the stream
 * back with GetRecords on every shard to check what arrived.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { concat, from, interval, map, Subject, take, throwError } from 'rxjs';
import { collect, outcomes, recordingLogger, silentLogger } from '../support/collect.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { toKinesis } from '../../lib/index.js';
import type { KinesisBatchResult, KinesisRecordResult, ToKinesisConfig } from '../../lib/index.js';

interface Order {
  readonly customer_id: string;
  readonly seq: number;
  readonly note: string;
}

/** Config for the local emulator. */
function local<T>(config: ToKinesisConfig<T>): ToKinesisConfig<T> {
  const { endpoint, credentials } = localKinesis();
  return { endpoint, credentials, logger: silentLogger, ...config };
}

async function newStream(shards = 1): Promise<string> {
  const name = uniqueStreamName();
  await localKinesis().createStream(name, shards);
  return name;
}

const text = (data: Uint8Array): string => Buffer.from(data).toString('utf8');
const failures = <T>(results: readonly KinesisRecordResult<T>[]) => results.filter((r) => r.status === 'failed');

describe('toKinesis against kinesalite', function () {
  this.timeout(60_000);

  it('delivers thousands of JSON items keyed by a field, intact and in order per key', async () => {
    const stream = await newStream(4);
    const items: Order[] = Array.from({ length: 3000 }, (_, seq) => ({ customer_id: `c${seq % 37}`, seq, note: `order ${seq}` }));
    const batches = await collect(from(items).pipe(toKinesis(local<Order>({ streamName: stream, partitionKey: 'customer_id' }))));

    const results = outcomes(batches);
    expect(results.map((r) => r.item)).to.deep.equal(items);
    expect(failures(results)).to.have.length(0);
    expect(batches.map((b) => b.recordCount)).to.deep.equal([500, 500, 500, 500, 500, 500]);

    const stored = await localKinesis().readStream(stream);
    expect(stored).to.have.length(items.length);
    const byKey = new Map<string, number[]>();
    for (const record of stored) {
      const order = JSON.parse(text(record.data)) as Order;
      expect(record.partitionKey).to.equal(order.customer_id);
      byKey.set(record.partitionKey, [...(byKey.get(record.partitionKey) ?? []), order.seq]);
    }
    for (const [key, seqs] of byKey) {
      expect(seqs, key).to.deep.equal(items.filter((o) => o.customer_id === key).map((o) => o.seq));
    }
    // Each result names where its record landed.
    const stored_at = new Map(stored.map((r) => [`${r.shardId}/${r.sequenceNumber}`, JSON.parse(text(r.data)) as Order]));
    for (const result of results) {
      if (result.status !== 'ok') throw new Error('unexpected failure');
      expect(stored_at.get(`${result.shardId}/${result.sequenceNumber}`)).to.deep.equal(result.item);
    }
  });

  it('gives every record a distinct random UUID v4 key by default', async () => {
    const stream = await newStream(2);
    const batches = await collect(from(Array.from({ length: 1000 }, (_, i) => ({ i }))).pipe(toKinesis(local({ streamName: stream }))));
    const stored = await localKinesis().readStream(stream);
    expect(stored).to.have.length(1000);
    const keys = new Set(stored.map((r) => r.partitionKey));
    expect(keys.size).to.equal(1000);
    for (const key of keys) expect(key).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(outcomes(batches).map((r) => r.partitionKey))).to.deep.equal(keys);
  });

  it('delivers binary payloads byte-exact', async () => {
    const stream = await newStream(1);
    const payloads = Array.from({ length: 200 }, (_, i) => randomBytes(1 + ((i * 7919) % 5000)));
    await collect(from(payloads).pipe(toKinesis(local<Buffer>({ streamName: stream, partitionKey: () => 'bin' }))));
    const stored = await localKinesis().readStream(stream);
    expect(stored.map((r) => Buffer.from(r.data).toString('hex'))).to.deep.equal(payloads.map((p) => p.toString('hex')));
  });

  it('sends a partial batch after batch.duration while the source stays open', async () => {
    const stream = await newStream(1);
    const source = new Subject<string>();
    const first = new Promise<{ result: KinesisBatchResult<string>; at: number }>((resolve) => {
      source.pipe(toKinesis(local<string>({ streamName: stream, batch: { duration: '200ms' } }))).subscribe((result) => resolve({ result, at: performance.now() }));
    });
    const start = performance.now();
    source.next('a');
    source.next('b');
    source.next('c');
    const { result, at } = await first;
    expect(at - start).to.be.at.least(190);
    expect(result.records.map((r) => r.item)).to.deep.equal(['a', 'b', 'c']);
    expect((await localKinesis().readStream(stream)).map((r) => text(r.data))).to.deep.equal(['a', 'b', 'c']);
    source.complete();
  });

  it('sends the tail at once when the source completes, not after batch.duration', async () => {
    const stream = await newStream(1);
    const start = performance.now();
    const batches = await collect(from(Array.from({ length: 1203 }, (_, i) => `r${i}`)).pipe(toKinesis(local<string>({ streamName: stream, batch: { duration: '1m' } }))));
    expect(performance.now() - start).to.be.below(30_000);
    expect(batches.map((b) => b.recordCount)).to.deep.equal([500, 500, 203]);
    expect(await localKinesis().readStream(stream)).to.have.length(1203);
  });

  it('delivers 20 records of 600 KB, split into requests under 5 MiB', async () => {
    const stream = await newStream(1);
    const big = Array.from({ length: 20 }, (_, i) => Buffer.alloc(600 * 1024, i));
    const batches = await collect(from(big).pipe(toKinesis(local<Buffer>({ streamName: stream, partitionKey: () => 'big' }))));
    expect(batches.length).to.be.at.least(3);
    for (const batch of batches) expect(batch.bytes).to.be.at.most(5 * 1024 * 1024);
    expect(failures(outcomes(batches))).to.have.length(0);
    const stored = await localKinesis().readStream(stream);
    expect(stored.map((r) => r.data.byteLength)).to.deep.equal(big.map((b) => b.length));
    expect(stored.map((r) => r.data[0])).to.deep.equal(big.map((_, i) => i));
  });

  it('splits a full batch whose JSON-escaped keys would make the HTTP body too large for the emulator', async () => {
    const stream = await newStream(1);
    const key = '\u0001'.repeat(250);
    const items = Array.from({ length: 500 }, (_, i) => Buffer.alloc(10_200, i % 256));
    const batches = await collect(from(items).pipe(toKinesis(local<Buffer>({ streamName: stream, partitionKey: () => key }))));
    expect(batches).to.have.length(1);
    expect(batches[0]).to.include({ recordCount: 500, failedRecordCount: 0, attempts: 1 });
    expect(await localKinesis().readStream(stream)).to.have.length(500);
  });

  it('fails an oversized record alone with RecordTooLarge while its neighbours arrive', async () => {
    const stream = await newStream(1);
    const items = ['before', 'x'.repeat(1024 * 1024), 'after'];
    const batches = await collect(from(items).pipe(toKinesis(local<string>({ streamName: stream, partitionKey: () => 'k' }))));
    const [before, big, after] = outcomes(batches);
    expect(before!.status).to.equal('ok');
    expect(after!.status).to.equal('ok');
    expect(big).to.include({ status: 'failed', errorCode: 'RecordTooLarge', attempts: 0 });
    expect((big as { errorMessage: string }).errorMessage).to.match(/1,048,577 bytes .*over the limit of 1,048,576 bytes/);
    expect((await localKinesis().readStream(stream)).map((r) => text(r.data))).to.deep.equal(['before', 'after']);
  });

  it('fails only the bad items (circular, BigInt, undefined, bad keys) and delivers the rest', async () => {
    const stream = await newStream(1);
    const circular: Record<string, unknown> = { id: 'circ' };
    circular['self'] = circular;
    const items: unknown[] = [
      { id: 'ok-1' },
      circular,
      { id: 'big', n: 10n },
      undefined,
      { id: 'x'.repeat(257) },
      { id: '' },
      { other: 1 },
      { id: 42 },
      { id: 'ok-2' },
    ];
    const batches = await collect(from(items).pipe(toKinesis(local<unknown>({ streamName: stream, partitionKey: (item) => (item === undefined ? 'u' : ((item as { id: string }).id)) }))));
    const codes = outcomes(batches).map((r) => (r.status === 'ok' ? 'ok' : r.errorCode));
    expect(codes).to.deep.equal(['ok', 'SerializationError', 'SerializationError', 'SerializationError', 'InvalidPartitionKey', 'InvalidPartitionKey', 'InvalidPartitionKey', 'ok', 'ok']);
    expect((await localKinesis().readStream(stream)).map((r) => r.partitionKey)).to.deep.equal(['ok-1', '42', 'ok-2']);
  });

  it('routes records by explicit hash key', async () => {
    const stream = await newStream(2);
    const max = ((1n << 128n) - 1n).toString();
    const batches = await collect(
      from(['low', 'high', 'bad']).pipe(
        toKinesis(local<string>({ streamName: stream, partitionKey: () => 'same', explicitHashKey: (item) => ({ low: '0', high: max, bad: '-1' })[item] })),
      ),
    );
    const [low, high, bad] = outcomes(batches);
    expect(bad).to.include({ status: 'failed', errorCode: 'InvalidExplicitHashKey' });
    if (low!.status !== 'ok' || high!.status !== 'ok') throw new Error('expected both delivered');
    expect(low!.shardId).to.not.equal(high!.shardId);
  });

  it('reports a missing stream as failed records with ResourceNotFoundException, after one request, and completes', async () => {
    const logger = recordingLogger();
    const batches = await collect(from(['a', 'b', 'c']).pipe(toKinesis(local<string>({ streamName: 'no-such-stream', logger }))));
    expect(batches).to.have.length(1);
    expect(batches[0]).to.include({ recordCount: 3, failedRecordCount: 3, successfulRecordCount: 0, attempts: 1 });
    for (const record of batches[0]!.records) expect(record).to.include({ status: 'failed', errorCode: 'ResourceNotFoundException', attempts: 1 });
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.deep.equal([
      "3 of 3 records not written to stream 'no-such-stream': ResourceNotFoundException x3",
    ]);
  });

  it('sends and reports what was buffered when the source errors, then passes the error on', async () => {
    const stream = await newStream(1);
    const boom = new Error('source failed');
    const seen: KinesisBatchResult<string>[] = [];
    const error = await new Promise<unknown>((resolve) => {
      concat(from(['a', 'b']), throwError(() => boom))
        .pipe(toKinesis(local<string>({ streamName: stream, batch: { duration: '1m' } })))
        .subscribe({ next: (r) => seen.push(r), error: resolve, complete: () => resolve('completed') });
    });
    expect(error).to.equal(boom);
    expect(seen.map((b) => b.successfulRecordCount)).to.deep.equal([2]);
    expect((await localKinesis().readStream(stream)).map((r) => text(r.data))).to.deep.equal(['a', 'b']);
  });

  it('stops cleanly when unsubscribed with requests in flight', async () => {
    const stream = await newStream(1);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: KinesisBatchResult<number>[] = [];
      const subscription = interval(1)
        .pipe(toKinesis(local<number>({ streamName: stream, batch: { size: 5, duration: '10ms' }, concurrency: 4 })))
        .subscribe((r) => seen.push(r));
      await new Promise((resolve) => setTimeout(resolve, 150));
      subscription.unsubscribe();
      const countAtUnsubscribe = seen.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.length).to.equal(countAtUnsubscribe);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps exactly one outcome per item with concurrency 4', async () => {
    const stream = await newStream(4);
    const items = Array.from({ length: 2000 }, (_, i) => ({ key: `k${i % 11}`, i }));
    const batches = await collect(from(items).pipe(toKinesis(local({ streamName: stream, partitionKey: 'key', batch: { size: 100 }, concurrency: 4 }))));
    const seen = outcomes(batches).map((r) => r.item.i).sort((a, b) => a - b);
    expect(seen).to.deep.equal(items.map((o) => o.i));
    expect(await localKinesis().readStream(stream)).to.have.length(2000);
  });

  it('writes with a partial batch per time window on a slow source', async () => {
    const stream = await newStream(1);
    const batches = await collect(interval(30).pipe(take(6), map((i) => `t${i}`), toKinesis(local<string>({ streamName: stream, batch: { duration: '100ms' } }))));
    expect(batches.length).to.be.at.least(2); // closed by time, not by count (the source never fills a batch)
    expect(outcomes(batches).map((r) => r.item)).to.deep.equal(['t0', 't1', 't2', 't3', 't4', 't5']);
  });
});
