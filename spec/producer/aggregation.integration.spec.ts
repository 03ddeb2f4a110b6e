/**
 * toKinesis with `aggregation` against kinesalite: the stream is read back and every Kinesis
 * record unpacked by the independent `aws-kinesis-agg` module, to check that every user record
 * arrived byte-exact with its key, exactly once, on the shard its key maps to, and that the
 * per-record results name where it landed.
 */
import { createHash } from 'node:crypto';
import { DescribeStreamSummaryCommand, ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Shard } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { expect } from 'chai';
import { from, Subject } from 'rxjs';
import { deaggregate } from '../support/awsKinesisAgg.js';
import { collect, outcomes, recordingLogger, silentLogger } from '../support/collect.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { toKinesis } from '../../lib/index.js';
import type { KinesisBatchResult, KinesisRecordResult, ToKinesisConfig } from '../../lib/index.js';
import { KPL_MAGIC } from '../../lib/kinesis/kpl.js';
import { listShards } from '../../lib/kinesis/listShards.js';

interface Event {
  readonly id: string;
  readonly key: string;
  readonly hash?: string;
  readonly body: string;
}

/** A user record as read back: unpacked from the Kinesis record that carried it. */
interface Arrived {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Index in its aggregate; `undefined` for a plain Kinesis record. */
  readonly subSequenceNumber: number | undefined;
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  readonly data: Buffer;
  /** The Kinesis record that carried it was an aggregate. */
  readonly aggregated: boolean;
}

async function newStream(shards: number): Promise<string> {
  const name = uniqueStreamName('agg');
  await localKinesis().createStream(name, shards);
  return name;
}

function local<T>(config: ToKinesisConfig<T>): ToKinesisConfig<T> {
  const { endpoint, credentials } = localKinesis();
  return { endpoint, credentials, logger: silentLogger, ...config };
}

/** Every user record of the stream, each Kinesis record unpacked by aws-kinesis-agg. */
async function readUserRecords(stream: string): Promise<{ kinesisRecords: number; users: Arrived[] }> {
  const stored = await localKinesis().readStream(stream);
  const users = stored.flatMap((record) => {
    const aggregated = Buffer.from(record.data.subarray(0, 4)).equals(KPL_MAGIC);
    return deaggregate(record.data, record.partitionKey, record.sequenceNumber).map(
      (user): Arrived => ({
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: user.subSequenceNumber,
        partitionKey: user.partitionKey,
        explicitHashKey: user.explicitPartitionKey,
        data: user.data,
        aggregated,
      }),
    );
  });
  return { kinesisRecords: stored.length, users };
}

/** The open shard whose range holds the key's hash, computed here independently of lib/shardMap.ts. */
function shardOfKey(shards: readonly Shard[], partitionKey: string, explicitHashKey: string | undefined): string {
  const hash = explicitHashKey !== undefined ? BigInt(explicitHashKey) : BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  const shard = shards.find(
    (s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined && BigInt(s.HashKeyRange!.StartingHashKey!) <= hash && hash <= BigInt(s.HashKeyRange!.EndingHashKey!),
  );
  return shard!.ShardId!;
}

const idOf = (data: Uint8Array): string => (JSON.parse(Buffer.from(data).toString('utf8')) as Event).id;

/** Each item arrived exactly once, byte-exact, with its key (and explicit hash key), and its result names where. */
function expectExactlyOnce(items: readonly Event[], results: readonly KinesisRecordResult<Event>[], users: readonly Arrived[], shards: readonly Shard[]): void {
  const byId = new Map<string, Arrived[]>();
  for (const user of users) byId.set(idOf(user.data), [...(byId.get(idOf(user.data)) ?? []), user]);
  // one outcome per item (batches may finish out of order with concurrency)
  const resultById = new Map(results.map((r) => [r.item.id, r]));
  expect(results).to.have.length(items.length);
  expect(resultById.size).to.equal(items.length);
  for (const item of items) {
    const copies = byId.get(item.id) ?? [];
    expect(copies, `copies of ${item.id}`).to.have.length(1);
    const arrived = copies[0]!;
    expect(arrived.data.equals(Buffer.from(JSON.stringify(item))), `bytes of ${item.id}`).to.equal(true);
    expect(arrived.partitionKey).to.equal(item.key);
    // GetRecords does not return a plain record's explicit hash key; an aggregate carries it
    if (item.hash !== undefined && arrived.aggregated) expect(arrived.explicitHashKey).to.equal(item.hash);
    // the Kinesis record landed on the shard this user record's own key maps to
    expect(arrived.shardId, `shard of ${item.id}`).to.equal(shardOfKey(shards, item.key, item.hash));
    const result = resultById.get(item.id)!;
    expect(result.status).to.equal('ok');
    if (result.status !== 'ok') continue;
    expect(result.partitionKey).to.equal(item.key);
    expect({ shardId: result.shardId, sequenceNumber: result.sequenceNumber, subSequenceNumber: result.subSequenceNumber }).to.deep.equal({
      shardId: arrived.shardId,
      sequenceNumber: arrived.sequenceNumber,
      subSequenceNumber: arrived.subSequenceNumber,
    });
  }
  expect(users).to.have.length(items.length);
}

const events = (count: number, prefix: string, keys = 97): Event[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    key: i % 11 === 0 ? `ключ-${i % keys}-🔑` : `k${i % keys}`,
    ...(i % 13 === 0 ? { hash: String((2n ** 128n / 13n) * BigInt(i % 13 === 0 ? (i / 13) % 13 : 0)) } : {}),
    body: `event ${i} ${'x'.repeat(i % 120)}`,
  }));

describe('toKinesis with aggregation, against kinesalite', function () {
  this.timeout(120_000);

  it('packs small events into far fewer Kinesis records; aws-kinesis-agg unpacks every one, exactly once, on its shard', async () => {
    const stream = await newStream(4);
    const items = events(6000, 'agg');
    const batches = await collect(
      from(items).pipe(
        toKinesis(local<Event>({ streamName: stream, partitionKey: 'key', explicitHashKey: (e) => e.hash, aggregation: true, batch: { size: 3000 } })),
      ),
    );
    const { kinesisRecords, users } = await readUserRecords(stream);
    expectExactlyOnce(items, outcomes(batches), users, await listShards(localKinesis().client, { StreamName: stream }));

    expect(batches.map((b) => b.recordCount)).to.deep.equal([3000, 3000]);
    const packed = batches.reduce((sum, b) => sum + b.kinesisRecordCount!, 0);
    expect(packed).to.equal(kinesisRecords);
    expect(kinesisRecords, 'Kinesis records for 6,000 events').to.be.at.most(2 * 4); // per batch: one aggregate per shard
    expect(users.every((u) => u.aggregated)).to.equal(true);
    for (const batch of batches) expect(batch.attempts).to.equal(1);
    // each aggregate holds records of one shard, and its sub-sequence numbers run 0..n-1
    const perRecord = new Map<string, number[]>();
    for (const user of users) perRecord.set(`${user.shardId}/${user.sequenceNumber}`, [...(perRecord.get(`${user.shardId}/${user.sequenceNumber}`) ?? []), user.subSequenceNumber!]);
    for (const subs of perRecord.values()) expect(subs).to.deep.equal(subs.map((_, i) => i));
  });

  it('keeps each aggregate within aggregation.maxBytes and sends a record too large to share one plain', async () => {
    const stream = await newStream(2);
    const small = events(400, 'small', 5);
    const large: Event = { id: 'large', key: 'k1', body: 'L'.repeat(3000) };
    const items = [...small.slice(0, 200), large, ...small.slice(200)];
    const batches = await collect(from(items).pipe(toKinesis(local<Event>({ streamName: stream, partitionKey: 'key', explicitHashKey: (e) => e.hash, aggregation: { maxBytes: 2048 }, batch: { size: 1000 } }))));
    const stored = await localKinesis().readStream(stream);
    for (const record of stored) {
      const aggregated = Buffer.from(record.data.subarray(0, 4)).equals(KPL_MAGIC);
      if (aggregated) expect(record.data.byteLength + Buffer.byteLength(record.partitionKey)).to.be.at.most(2048);
      else expect(idOf(record.data)).to.equal('large');
    }
    const { users } = await readUserRecords(stream);
    expectExactlyOnce(items, outcomes(batches), users, await listShards(localKinesis().client, { StreamName: stream }));
    const largeArrived = users.find((u) => idOf(u.data) === 'large')!;
    expect(largeArrived.aggregated).to.equal(false);
    const largeResult = outcomes(batches).find((r) => r.item.id === 'large')!;
    expect(largeResult).to.not.have.property('subSequenceNumber');
    expect(stored.length).to.be.greaterThan(10); // 2 KiB aggregates
    // records of key k1 (without an explicit hash key) keep their order around the plain one
    const k1 = items.filter((e) => e.key === 'k1' && e.hash === undefined).map((e) => e.id);
    expect(users.map((u) => idOf(u.data)).filter((id) => k1.includes(id))).to.deep.equal(k1);
  });

  it('mixes plain and aggregated records in one stream; both read back', async () => {
    const stream = await newStream(2);
    const plain = events(300, 'plain');
    const aggregated = events(300, 'aggregated');
    const plainBatches = await collect(from(plain).pipe(toKinesis(local<Event>({ streamName: stream, partitionKey: 'key', explicitHashKey: (e) => e.hash }))));
    const aggBatches = await collect(from(aggregated).pipe(toKinesis(local<Event>({ streamName: stream, partitionKey: 'key', explicitHashKey: (e) => e.hash, aggregation: true }))));
    const { users } = await readUserRecords(stream);
    const shards = await listShards(localKinesis().client, { StreamName: stream });
    expectExactlyOnce(plain, outcomes(plainBatches), users.filter((u) => idOf(u.data).startsWith('plain-')), shards);
    expectExactlyOnce(aggregated, outcomes(aggBatches), users.filter((u) => idOf(u.data).startsWith('aggregated-')), shards);
    expect(users.filter((u) => idOf(u.data).startsWith('plain-')).every((u) => !u.aggregated)).to.equal(true);
    expect(outcomes(plainBatches).every((r) => !('subSequenceNumber' in r))).to.equal(true);
    expect(plainBatches[0]).to.not.have.property('kinesisRecordCount');
  });

  it('under faults resends whole aggregates; every user record ends with exactly one outcome and arrives once', async () => {
    const stream = await newStream(4);
    const proxy = await startFaultProxy(localKinesis().endpoint, { seed: 7, withhold: 0.3, http500: 0.05, throttle: 0.05, cutBeforeForward: 0.05 });
    try {
      const items = events(8000, 'faults');
      const batches = await collect(
        from(items).pipe(
          toKinesis<Event>({
            endpoint: proxy.endpoint,
            credentials: localKinesis().credentials,
            logger: silentLogger,
            streamName: stream,
            partitionKey: 'key',
            explicitHashKey: (e) => e.hash,
            aggregation: { maxBytes: 16 * 1024 },
            batch: { size: 2000 },
            concurrency: 2,
            retry: { maxAttempts: 30, minDelay: '5ms', maxDelay: '50ms' },
          }),
        ),
      );
      const { kinesisRecords, users } = await readUserRecords(stream);
      expectExactlyOnce(items, outcomes(batches), users, await listShards(localKinesis().client, { StreamName: stream }));
      // nothing was cut after writing, so each Kinesis record the batches were packed into was written once, whole
      expect(kinesisRecords).to.equal(batches.reduce((sum, b) => sum + b.kinesisRecordCount!, 0));
      expect(proxy.stats.recordsWritten).to.equal(kinesisRecords);
      expect(proxy.stats.recordsWithheld, 'aggregates withheld and resent').to.be.greaterThan(0);
      const retried = outcomes(batches).filter((r) => r.attempts > 1);
      expect(retried.length).to.be.greaterThan(0);
      // the user records of one aggregate share its attempts
      const attemptsByRecord = new Map<string, Set<number>>();
      for (const r of outcomes(batches)) if (r.status === 'ok') attemptsByRecord.set(`${r.shardId}/${r.sequenceNumber}`, (attemptsByRecord.get(`${r.shardId}/${r.sequenceNumber}`) ?? new Set()).add(r.attempts));
      for (const set of attemptsByRecord.values()) expect(set.size).to.equal(1);
    } finally {
      await proxy.close();
    }
  });

  it('fails every user record of a missing stream with ResourceNotFoundException', async () => {
    const logger = recordingLogger();
    const items = events(500, 'missing');
    const batches = await collect(from(items).pipe(toKinesis(local<Event>({ streamName: uniqueStreamName('missing'), partitionKey: 'key', aggregation: true, logger }))));
    const results = outcomes(batches);
    expect(results).to.have.length(500);
    for (const result of results) expect(result).to.include({ status: 'failed', errorCode: 'ResourceNotFoundException', attempts: 1 });
    expect(logger.lines.filter((l) => l.level === 'warn' && l.message.includes('cannot list the shards'))).to.have.length(1);
  });

  it('without kinesis:ListShards, warns once and packs only records with identical keys', async () => {
    const stream = await newStream(4);
    const { endpoint, credentials } = localKinesis();
    const client = new KinesisClient({ region: 'us-east-1', endpoint, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === ListShardsCommand.name) {
          throw Object.assign(new Error('User is not authorized to perform: kinesis:ListShards'), { name: 'AccessDeniedException', $fault: 'client' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'denyListShards' },
    );
    const logger = recordingLogger();
    try {
      const items = events(2000, 'denied', 23);
      const batches = await collect(from(items).pipe(toKinesis<Event>({ client, streamName: stream, partitionKey: 'key', explicitHashKey: (e) => e.hash, aggregation: true, batch: { size: 1000 }, logger })));
      const { users } = await readUserRecords(stream);
      expectExactlyOnce(items, outcomes(batches), users, await listShards(localKinesis().client, { StreamName: stream }));
      const warnings = logger.lines.filter((l) => l.level === 'warn');
      expect(warnings.map((l) => l.message)).to.have.length(1);
      expect(warnings[0]!.message).to.include('kinesis:ListShards');
      const keysPerRecord = new Map<string, Set<string>>();
      for (const user of users) keysPerRecord.set(`${user.shardId}/${user.sequenceNumber}`, (keysPerRecord.get(`${user.shardId}/${user.sequenceNumber}`) ?? new Set()).add(`${user.partitionKey}|${user.explicitHashKey ?? ''}`));
      for (const keys of keysPerRecord.values()) expect(keys.size).to.equal(1);
    } finally {
      client.destroy();
    }
  });

  it('after a split, resends the records of an aggregate that landed on a shard their keys no longer map to; every outcome names a copy on the right shard', async () => {
    const stream = await newStream(1);
    const { client } = localKinesis();
    const source = new Subject<Event>();
    const seen: KinesisBatchResult<Event>[] = [];
    const logger = recordingLogger();
    const done = new Promise<void>((resolve, reject) =>
      source
        .pipe(toKinesis(local<Event>({ streamName: stream, partitionKey: 'key', aggregation: true, batch: { size: 200, duration: '10ms' }, logger })))
        .subscribe({ next: (r) => seen.push(r), error: reject, complete: resolve }),
    );
    const first = events(200, 'before');
    const second = events(200, 'after');
    for (const item of first) source.next(item);
    while (seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const [parent] = await listShards(client, { StreamName: stream });
    await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: parent!.ShardId!, NewStartingHashKey: String(2n ** 127n) }));
    while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const item of second) source.next(item);
    source.complete();
    await done;

    const shards = await listShards(client, { StreamName: stream });
    expect(shards.filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)).to.have.length(2);
    const { users } = await readUserRecords(stream);
    const results = outcomes(seen);
    expect(results).to.have.length(400);
    const stored = new Map(users.map((u) => [`${u.shardId}/${u.sequenceNumber}/${u.subSequenceNumber}`, u]));
    for (const result of results) {
      expect(result.status).to.equal('ok');
      if (result.status !== 'ok') continue;
      const copy = stored.get(`${result.shardId}/${result.sequenceNumber}/${result.subSequenceNumber}`);
      expect(copy && idOf(copy.data), result.item.id).to.equal(result.item.id);
      if (result.item.id.startsWith('after-')) expect(result.shardId, result.item.id).to.equal(shardOfKey(shards, result.item.key, undefined));
    }
    const resent = results.filter((r) => r.item.id.startsWith('after-') && r.attempts === 2).length;
    expect(resent, 'records resent after the split').to.be.greaterThan(0);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.deep.equal([
      `stream '${stream}' was resharded: ${resent} records whose aggregate landed on a shard their keys do not map to are sent again`,
    ]);
  });
});
