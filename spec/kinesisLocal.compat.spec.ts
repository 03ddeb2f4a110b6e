/**
 * Compatibility with a second, independent Kinesis implementation: kinesis-local (kinesis-mock,
 * what LocalStack runs), started as a child process by this spec (spec/support/kinesisLocal.ts).
 * Records go through `toKinesis`, then every shard is read back with GetRecords to check what
 * arrived. A few hundred records in all: kinesis-mock writes about 600 records/s.
 *
 * Where kinesis-local differs from kinesalite (measured with the AWS SDK v3 against
 * kinesis-local 0.6.2 and kinesalite 3.3.3; the library is written for the service's rules and
 * behaves correctly against both):
 *
 * - 501 records in one PutRecords: kinesis-local writes them all; kinesalite answers HTTP 400
 *   `ValidationException`. An empty `Records: []`: kinesis-local answers 200 with no entries;
 *   kinesalite `ValidationException`. (The library sends 1 to 500 records per request.)
 * - A 6 MB request (6 records of 1,000,000 bytes): kinesis-local writes it; kinesalite answers
 *   HTTP 413, which the SDK names `Unknown`. (The library keeps requests to 5 MiB.)
 * - A record whose data is over 1 MiB: kinesis-local answers 200 with a per-record
 *   `InvalidArgumentException` ("Record data size 1048586 exceeds the stream's max record size of
 *   1048576 bytes") and writes the other records of the request; kinesalite refuses the whole
 *   request with HTTP 400 `ValidationException`. Both count the data only (1 MiB of data with a
 *   2-character key is accepted by both); the library counts data plus key against
 *   `maxRecordBytes`, so by default neither emulator sees such a record; above the default the
 *   record fails alone here and the whole request fails on kinesalite, not retried either way.
 * - A 257-character partition key: kinesis-local `InvalidArgumentException`, kinesalite
 *   `ValidationException`; an ExplicitHashKey of 2^128: `InvalidArgumentException` from both,
 *   with different messages. (The library refuses both before sending.)
 * - A missing stream: HTTP 400 `ResourceNotFoundException` from both; the message is
 *   "Stream arn arn:aws:kinesis:us-east-1:000000000000:stream/NAME not found" here, "Stream NAME
 *   under account 000000000000 not found." from kinesalite.
 * - Hash key ranges: kinesis-mock ends shard 0 of a 2-shard stream at 2^127 - 2 and starts shard 1
 *   at 2^127 - 1; kinesalite (like the service) ends shard 0 at 2^127 - 1. The same explicit hash
 *   key can land on different shards: expected shards are computed from `ListShards`, never from
 *   a formula.
 * - Answer shapes: every PutRecords entry carries all four fields, the unused ones as JSON `null`
 *   (`{"ErrorCode":null,"ErrorMessage":null,"SequenceNumber":"...","ShardId":"shardId-000000000000"}`
 *   for a record written, `"SequenceNumber":null,"ShardId":null` for one refused); kinesalite
 *   leaves them out. The SDK's parser drops nulls, but the library reads the answer with
 *   `JSON.parse` (lib/wire.ts): it treated every written record as `InvalidResponse` until null
 *   was read as absent (lib/putRecords.ts). Answers also carry `EncryptionType: "NONE"`; summaries
 *   carry `StreamModeDetails`. Streams live per region (and per account, when the access key id is a
 *   12-digit account id): a client must use the region the stream was created in; kinesalite
 *   ignores the region.
 * - Neither throttles: 6 MB written to a 2-shard stream in one request went through. Throttling
 *   and 500s are injected here by the fault proxy.
 * - Speed: about 600 records/s (kinesalite: 10,000+); about 2 to 5 s to start.
 */
import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Shard } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { expect } from 'chai';
import { filter, from, lastValueFrom, map, take, timeout, toArray } from 'rxjs';
import { collect, outcomes, silentLogger } from './support/collect.js';
import { startFaultProxy } from './support/faultProxy.js';
import type { FaultOptions, FaultProxy } from './support/faultProxy.js';
import { uniqueStreamName } from './support/hooks.js';
import { startKinesisLocal } from './support/kinesisLocal.js';
import type { KinesisLocal } from './support/kinesisLocal.js';
import type { StoredRecord } from '../examples/support/localKinesis.js';
import { fromKinesis, MiB, toKinesis } from '../lib/index.js';
import type { KinesisBatchResult, KinesisRecordResult, ToKinesisConfig } from '../lib/index.js';
import { listShards } from '../lib/kinesis/listShards.js';

interface Order {
  readonly id: string;
  readonly customer_id: string;
  readonly seq: number;
}

/** Short backoff, many attempts: retries cost milliseconds and nothing runs out of attempts. */
const FAST_RETRY = { maxAttempts: 30, minDelay: '5ms', maxDelay: '50ms' } as const;

/** The stream created at start (`INITIALIZE_STREAMS`), and its shards. */
const INITIAL_STREAM = `compat-initial-${process.pid}`;
const INITIAL_SHARDS = 4;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const text = (data: Uint8Array): string => Buffer.from(data).toString('utf8');
const where = (shardId: string, sequenceNumber: string): string => `${shardId}/${sequenceNumber}`;

const orders = (count: number, keys: number, prefix: string): Order[] =>
  Array.from({ length: count }, (_, seq) => ({ id: `${prefix}-${seq}`, customer_id: `customer-${seq % keys}`, seq }));

/** The shard whose hash key range holds `hashKey`. */
function shardHolding(shards: readonly Shard[], hashKey: bigint): string {
  const shard = shards.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= hashKey && hashKey <= BigInt(s.HashKeyRange!.EndingHashKey!));
  if (shard === undefined) throw new Error(`no shard holds hash key ${hashKey}`);
  return shard.ShardId!;
}

/** The 128-bit hash of a partition key: its MD5, read as a big-endian integer. */
const hashOfKey = (key: string): bigint => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);

/** Ok outcomes each name the stored record that holds their own item. */
function expectOutcomesNameStoredRecords<T>(results: readonly KinesisRecordResult<T>[], stored: readonly StoredRecord[], itemOf: (record: StoredRecord) => T): void {
  const storedAt = new Map(stored.map((record) => [where(record.shardId, record.sequenceNumber), record]));
  for (const result of results) {
    if (result.status !== 'ok') throw new Error(`unexpected ${result.errorCode}: ${result.errorMessage}`);
    const record = storedAt.get(where(result.shardId, result.sequenceNumber));
    expect(record, `where ${JSON.stringify(result.item)} landed`).to.not.equal(undefined);
    expect(itemOf(record!)).to.deep.equal(result.item);
    expect(record!.partitionKey).to.equal(result.partitionKey);
  }
}

describe('toKinesis against kinesis-local (kinesis-mock)', function () {
  this.timeout(60_000);

  let kinesis: KinesisLocal;

  before(async function () {
    this.timeout(120_000);
    kinesis = await startKinesisLocal({ streams: { [INITIAL_STREAM]: INITIAL_SHARDS } });
    console.log(`[kinesis-local] started and answering in ${Math.round(kinesis.startupMs)} ms`);
  });

  after(async () => {
    await kinesis?.close();
  });

  /** Config for kinesis-local (or a proxy in front of it). */
  function local<T>(config: ToKinesisConfig<T>, endpoint = kinesis.endpoint): ToKinesisConfig<T> {
    return { endpoint, region: kinesis.region, credentials: kinesis.credentials, logger: silentLogger, ...config };
  }

  async function newStream(shards: number): Promise<string> {
    const name = uniqueStreamName('compat');
    await kinesis.createStream(name, shards);
    return name;
  }

  async function withProxy<R>(faults: FaultOptions, use: (proxy: FaultProxy) => Promise<R>): Promise<R> {
    const proxy = await startFaultProxy(kinesis.endpoint, faults);
    try {
      return await use(proxy);
    } finally {
      await proxy.close();
    }
  }

  const orderOf = (record: StoredRecord): Order => JSON.parse(text(record.data)) as Order;

  it('delivers JSON items keyed by a field, each on the shard its key hashes to, in order per key', async () => {
    const items = orders(200, 13, 'keyed');
    const batches = await collect(from(items).pipe(toKinesis(local<Order>({ streamName: INITIAL_STREAM, partitionKey: 'customer_id', batch: { size: 40 } }))));
    expect(batches.map((b) => b.recordCount)).to.deep.equal([40, 40, 40, 40, 40]);
    const results = outcomes(batches);
    expect(results.map((r) => r.item)).to.deep.equal(items);

    const stored = await kinesis.readStream(INITIAL_STREAM);
    expect(stored.map((r) => orderOf(r).id).sort()).to.deep.equal(items.map((o) => o.id).sort());
    expectOutcomesNameStoredRecords(results, stored, orderOf);

    const shards = await listShards(kinesis.client, { StreamName: INITIAL_STREAM });
    expect(shards).to.have.length(INITIAL_SHARDS);
    const byKey = new Map<string, Order[]>();
    for (const record of stored) {
      const order = orderOf(record);
      expect(record.partitionKey).to.equal(order.customer_id);
      expect(record.shardId, `shard of key ${record.partitionKey}`).to.equal(shardHolding(shards, hashOfKey(record.partitionKey)));
      byKey.set(record.partitionKey, [...(byKey.get(record.partitionKey) ?? []), order]);
    }
    expect(byKey.size).to.equal(13);
    for (const [key, stored] of byKey) expect(stored.map((o) => o.seq), key).to.deep.equal(items.filter((o) => o.customer_id === key).map((o) => o.seq));
    expect(new Set(stored.map((r) => r.shardId)).size, 'shards used').to.be.greaterThan(1);
  });

  it('gives every record a distinct random UUID v4 key by default', async () => {
    const stream = await newStream(2);
    const items = Array.from({ length: 60 }, (_, i) => ({ i }));
    const batches = await collect(from(items).pipe(toKinesis(local({ streamName: stream }))));
    const stored = await kinesis.readStream(stream);
    expect(stored).to.have.length(items.length);
    const keys = new Set(stored.map((r) => r.partitionKey));
    expect(keys.size).to.equal(items.length);
    for (const key of keys) expect(key).to.match(UUID_V4);
    expect(new Set(outcomes(batches).map((r) => r.partitionKey))).to.deep.equal(keys);
    expectOutcomesNameStoredRecords(outcomes(batches), stored, (record) => JSON.parse(text(record.data)) as { i: number });
  });

  it('delivers binary data byte-exact: every byte value, random bytes, an empty record', async () => {
    const stream = await newStream(1);
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const payloads = [everyByte, Buffer.alloc(0), ...Array.from({ length: 38 }, (_, i) => randomBytes(1 + ((i * 7919) % 4000)))];
    const batches = await collect(from(payloads).pipe(toKinesis(local<Buffer>({ streamName: stream, partitionKey: () => 'bin' }))));
    expect(outcomes(batches).every((r) => r.status === 'ok')).to.equal(true);
    const stored = await kinesis.readStream(stream);
    expect(stored.map((r) => Buffer.from(r.data).toString('hex'))).to.deep.equal(payloads.map((p) => p.toString('hex')));
  });

  it('routes by explicit hash key, including every shard boundary, over the partition key', async () => {
    const stream = await newStream(3);
    const shards = await listShards(kinesis.client, { StreamName: stream });
    const boundaries = shards.flatMap((s) => [s.HashKeyRange!.StartingHashKey!, s.HashKeyRange!.EndingHashKey!]);
    const hashKeys = [...new Set(['0', ((1n << 127n) - 1n).toString(), ((1n << 128n) - 1n).toString(), ...boundaries])];
    const items = hashKeys.map((hashKey, i) => ({ i, hashKey }));
    const batches = await collect(
      from(items).pipe(toKinesis(local<{ i: number; hashKey: string }>({ streamName: stream, partitionKey: () => 'same-key', explicitHashKey: (item) => item.hashKey }))),
    );
    const results = outcomes(batches);
    const stored = await kinesis.readStream(stream);
    expect(stored).to.have.length(items.length);
    expectOutcomesNameStoredRecords(results, stored, (record) => JSON.parse(text(record.data)) as { i: number; hashKey: string });
    for (const result of results) {
      if (result.status !== 'ok') throw new Error(result.errorCode);
      expect(result.shardId, `hash key ${result.item.hashKey}`).to.equal(shardHolding(shards, BigInt(result.item.hashKey)));
    }
    expect(new Set(stored.map((r) => r.shardId)).size).to.equal(3);
  });

  it('fails an oversize record alone with RecordTooLarge, before sending; the rest arrive in order', async () => {
    const stream = await newStream(1);
    const items = Array.from({ length: 21 }, (_, i) => (i === 10 ? Buffer.alloc(MiB, 1) : Buffer.from(`small-${i}`)));
    const batches = await collect(from(items).pipe(toKinesis(local<Buffer>({ streamName: stream, partitionKey: () => 'k' }))));
    const results = outcomes(batches);
    expect(results.map((r) => r.item)).to.deep.equal(items);
    expect(results[10]).to.include({ status: 'failed', errorCode: 'RecordTooLarge', attempts: 0 });
    expect(results.filter((r) => r.status === 'ok')).to.have.length(20);
    const stored = await kinesis.readStream(stream);
    expect(stored.map((r) => text(r.data))).to.deep.equal(items.filter((_, i) => i !== 10).map((b) => b.toString('utf8')));
  });

  it('reports a record over the emulator limit but within maxRecordBytes as the per-record InvalidArgumentException, not retried', async () => {
    const stream = await newStream(1);
    const items = [Buffer.from('before'), Buffer.alloc(MiB + 1024, 2), Buffer.from('after')];
    await withProxy({}, async (proxy) => {
      const batches = await collect(from(items).pipe(toKinesis(local<Buffer>({ streamName: stream, partitionKey: () => 'k', maxRecordBytes: 2 * MiB, retry: FAST_RETRY }, proxy.endpoint))));
      expect(proxy.stats.putRecordsRequests).to.equal(1);
      const results = outcomes(batches);
      expect(results.map((r) => r.status)).to.deep.equal(['ok', 'failed', 'ok']);
      expect(results[1]).to.include({ errorCode: 'InvalidArgumentException', attempts: 1 });
      expect(batches[0]).to.include({ attempts: 1, successfulRecordCount: 2, failedRecordCount: 1 });
    });
    expect((await kinesis.readStream(stream)).map((r) => text(r.data))).to.deep.equal(['before', 'after']);
  });

  it('reports a missing stream as ResourceNotFoundException for each record, after one request', async () => {
    const missing = uniqueStreamName('never-created');
    const items = orders(120, 5, 'missing');
    await withProxy({}, async (proxy) => {
      const batches = await collect(from(items).pipe(toKinesis(local<Order>({ streamName: missing, partitionKey: 'customer_id', retry: FAST_RETRY }, proxy.endpoint))));
      expect(proxy.stats.putRecordsRequests).to.equal(1);
      expect(batches).to.have.length(1);
      expect(batches[0]).to.include({ attempts: 1, recordCount: 120, successfulRecordCount: 0, failedRecordCount: 120 });
      const results = outcomes(batches);
      expect(results.map((r) => r.item)).to.deep.equal(items);
      for (const result of results) {
        expect(result).to.include({ status: 'failed', errorCode: 'ResourceNotFoundException', attempts: 1 });
        expect(result.status === 'failed' && result.errorMessage).to.include(missing);
      }
    });
  });

  it('addresses the stream by ARN alone', async () => {
    const stream = await newStream(1);
    const streamARN = `arn:aws:kinesis:${kinesis.region}:000000000000:stream/${stream}`;
    const batches = await collect(from(['a', 'b', 'c']).pipe(toKinesis(local<string>({ streamARN }))));
    expect(outcomes(batches).map((r) => r.status)).to.deep.equal(['ok', 'ok', 'ok']);
    expect(batches[0]!.streamName).to.equal(stream);
    expect((await kinesis.readStream(stream)).map((r) => text(r.data))).to.deep.equal(['a', 'b', 'c']);
  });

  it('works over TLS (self-signed certificate) with a client passed in', async () => {
    const stream = await newStream(1);
    const client = new KinesisClient({
      region: kinesis.region,
      endpoint: kinesis.tlsEndpoint,
      credentials: kinesis.credentials,
      // kinesis-mock's certificate is self-signed: trusted here, for this client only.
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ keepAlive: true, rejectUnauthorized: false }) }),
    });
    try {
      const batches = await collect(from(['t1', 't2']).pipe(toKinesis<string>({ client, streamName: stream, logger: silentLogger })));
      expect(outcomes(batches).map((r) => r.status)).to.deep.equal(['ok', 'ok']);
    } finally {
      client.destroy();
    }
    expect((await kinesis.readStream(stream)).map((r) => text(r.data))).to.deep.equal(['t1', 't2']);
  });

  it('delivers every record exactly once through withheld records, 500s, throttles and cut connections, with exact outcomes', async () => {
    const stream = await newStream(2);
    const items = orders(200, 7, 'retried');
    const faults: FaultOptions = { seed: 1, withhold: 0.3, http500: 0.15, throttle: 0.15, cutBeforeForward: 0.1 };
    await withProxy(faults, async (proxy) => {
      const batches = await collect(
        from(items).pipe(toKinesis(local<Order>({ streamName: stream, partitionKey: 'customer_id', batch: { size: 25 }, retry: FAST_RETRY }, proxy.endpoint))),
      );
      const { stats } = proxy;
      console.log(
        `[kinesis-local] faults: ${items.length} records, ${stats.putRecordsRequests} PutRecords requests, ${stats.recordsReceived} records sent, ${stats.recordsWithheld} withheld, ` +
          `${stats.http500Requests} HTTP 500, ${stats.throttledRequests} throttled, ${stats.cutBeforeForwardRequests} cut; ${stats.recordsWritten} written`,
      );
      expect(stats.recordsWithheld, 'records withheld').to.be.greaterThan(0);
      expect(stats.http500Requests, 'HTTP 500s').to.be.greaterThan(0);
      expect(stats.throttledRequests, 'request-level throttles').to.be.greaterThan(0);
      expect(stats.cutBeforeForwardRequests, 'cuts before forwarding').to.be.greaterThan(0);

      const results = outcomes(batches);
      expect(results.map((r) => r.item)).to.deep.equal(items);
      const stored = await kinesis.readStream(stream);
      expect(stored.map((r) => orderOf(r).id).sort(), 'each record once in the stream').to.deep.equal(items.map((o) => o.id).sort());
      expectOutcomesNameStoredRecords(results, stored, orderOf);

      // Every attempt of every record is one record in one request the proxy received; only the
      // records not yet written were sent again, and each was written once.
      expect(results.reduce((sum, r) => sum + r.attempts, 0)).to.equal(stats.recordsReceived);
      expect(stats.recordsWritten).to.equal(items.length);
      expect(results.some((r) => r.attempts > 1)).to.equal(true);
      for (const batch of batches) {
        expect(batch.attempts).to.equal(Math.max(...batch.records.map((r) => r.attempts)));
        expect(batch).to.include({ successfulRecordCount: batch.recordCount, failedRecordCount: 0 });
      }
    });
  });

  it('stops after maxAttempts when every record keeps failing, and says so for each record', async () => {
    const stream = await newStream(1);
    const items = orders(120, 3, 'all-fail');
    await withProxy({ failAllRecords: true }, async (proxy) => {
      const batches = await collect(
        // Every record throttled whatever the rate: the shard limiter would split the retries into
        // smaller requests as it waits for budget, so it is off to count requests exactly.
        from(items).pipe(
          toKinesis(local<Order>({ streamName: stream, partitionKey: 'customer_id', batch: { size: 60 }, retry: { maxAttempts: 3, minDelay: '1ms', maxDelay: '5ms' }, shardLimit: false }, proxy.endpoint)),
        ),
      );
      expect(batches.map((b) => b.attempts)).to.deep.equal([3, 3]);
      expect(proxy.stats.putRecordsRequests).to.equal(6);
      const results = outcomes(batches);
      expect(results.map((r) => r.item)).to.deep.equal(items);
      for (const result of results) expect(result).to.include({ status: 'failed', errorCode: 'ProvisionedThroughputExceededException', attempts: 3 });
    });
    expect(await kinesis.readStream(stream)).to.deep.equal([]);
  });

  it('aggregates by shard and reads back with fromKinesis: every user record once, with its key, on the shard its key maps to', async () => {
    const items = orders(300, 17, 'aggregated');
    const batches = await collect(
      from(items).pipe(toKinesis(local<Order>({ streamName: INITIAL_STREAM, partitionKey: 'customer_id', aggregation: true, batch: { size: 300 } }))),
    );
    const [batch] = batches;
    expect(batches).to.have.length(1);
    expect(batch!.successfulRecordCount).to.equal(300);
    expect(batch!.kinesisRecordCount).to.be.at.most(INITIAL_SHARDS);
    const shards = await listShards(kinesis.client, { StreamName: INITIAL_STREAM });
    const sent = new Map(outcomes(batches).map((r) => [r.item.id, r]));
    const read = await lastValueFrom(
      fromKinesis({ endpoint: kinesis.endpoint, region: kinesis.region, credentials: kinesis.credentials, streamName: INITIAL_STREAM, startingPosition: 'TRIM_HORIZON', pollInterval: '200ms' }).pipe(
        map((record) => ({ record, order: JSON.parse(text(record.data)) as Order })),
        filter(({ order }) => order.id.startsWith('aggregated')),
        take(300),
        timeout(30_000),
        toArray(),
      ),
    );
    expect(read.map(({ order }) => order.id).sort()).to.deep.equal(items.map((o) => o.id).sort());
    for (const { record, order } of read) {
      expect(record.partitionKey).to.equal(order.customer_id);
      expect(record.shardId).to.equal(shardHolding(shards, hashOfKey(order.customer_id)));
      expect(sent.get(order.id)).to.deep.include({ status: 'ok', shardId: record.shardId, sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber });
    }
  });

  it('measures records/s through toKinesis (one batch of 300 JSON records)', async () => {
    const stream = await newStream(2);
    const items = orders(300, 11, 'rate');
    const started = performance.now();
    const batches: KinesisBatchResult<Order>[] = await collect(from(items).pipe(toKinesis(local<Order>({ streamName: stream, partitionKey: 'customer_id' }))));
    const elapsed = performance.now() - started;
    expect(outcomes(batches).every((r) => r.status === 'ok')).to.equal(true);
    expect(await kinesis.readStream(stream)).to.have.length(items.length);
    console.log(`[kinesis-local] ${items.length} records through toKinesis in ${Math.round(elapsed)} ms: ${Math.round((items.length / elapsed) * 1000)} records/s`);
  });
});
