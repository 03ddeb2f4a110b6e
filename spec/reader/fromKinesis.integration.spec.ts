/**
 * fromKinesis against a real Kinesis implementation (kinesalite, in process): what is read back
 * is checked against what was written (toKinesis results, PutRecords answers, readStream).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import {
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  KinesisClient,
  MergeShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  ResourceNotFoundException,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { expect } from 'chai';
import { delay, from, lastValueFrom, race, share, skip, take, takeUntil, toArray } from 'rxjs';
import { collect, outcomes, recordingLogger, silentLogger } from '../support/collect.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { toKinesis } from '../../lib/index.js';
import type { KinesisCredentials, ToKinesisConfig } from '../../lib/index.js';
import { encodeAggregate } from '../../lib/kinesis/kpl.js';
import { listShards } from '../../lib/kinesis/listShards.js';
import type { FromKinesisConfig } from '../../lib/reader/config.js';
import { fromKinesis } from '../../lib/reader/fromKinesis.js';
import type { KinesisReadRecord } from '../../lib/reader/readRecords.js';

/** Reader config for the local emulator, polling at the fastest the service allows. */
function reading(config: FromKinesisConfig): FromKinesisConfig {
  const { endpoint, credentials } = localKinesis();
  return { endpoint, credentials, logger: silentLogger, pollInterval: '200ms', ...config };
}

/** Writer config for the local emulator. */
function writing<T>(config: ToKinesisConfig<T>): ToKinesisConfig<T> {
  const { endpoint, credentials } = localKinesis();
  return { endpoint, credentials, logger: silentLogger, ...config };
}

async function newStream(shards = 1): Promise<string> {
  const name = uniqueStreamName('read');
  await localKinesis().createStream(name, shards);
  return name;
}

/** Writes items as JSON with toKinesis; returns where each landed, in item order. */
async function write<T>(stream: string, items: readonly T[], config: Partial<ToKinesisConfig<T>> = {}) {
  const results = outcomes(await collect(from(items).pipe(toKinesis(writing<T>({ streamName: stream, ...config })))));
  return results.map((result) => {
    if (result.status !== 'ok') throw new Error(`not written: ${result.errorCode}`);
    return result;
  });
}

/**
 * Reads until `count` records have come, then on for `settleMs` more (to catch a record read
 * twice), then unsubscribes.
 */
function readBack(config: FromKinesisConfig, count: number, settleMs = 1000): Promise<KinesisReadRecord[]> {
  const records$ = fromKinesis(config).pipe(share());
  return lastValueFrom(records$.pipe(takeUntil(records$.pipe(skip(count - 1), take(1), delay(settleMs))), toArray()));
}

/**
 * As {@link readBack}, but gives up `deadlineMs` after `deadline` resolves, with what was read by
 * then: a test of records that may never come fails on its assertion instead of timing out.
 */
function readBackBy(config: FromKinesisConfig, count: number, deadline: Promise<unknown>, deadlineMs = 3000, settleMs = 1000): Promise<KinesisReadRecord[]> {
  const records$ = fromKinesis(config).pipe(share());
  const enough$ = records$.pipe(skip(count - 1), take(1), delay(settleMs));
  const late$ = from(deadline).pipe(delay(deadlineMs));
  return lastValueFrom(records$.pipe(takeUntil(race(enough$, late$)), toArray()));
}

const json = <T>(record: KinesisReadRecord): T => JSON.parse(Buffer.from(record.data).toString('utf8')) as T;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * A client that counts the requests it starts and the answers it gets, by command; `fault` may
 * fail a request before it is sent (a service error, as the SDK would raise it), at once or
 * after a wait (a promise). `credentials` replace the emulator's dummy ones.
 */
function countingClient(
  fault: (command: string, count: number) => Error | undefined | Promise<Error | undefined> = () => undefined,
  credentials: KinesisCredentials = localKinesis().credentials,
): {
  client: KinesisClient;
  started: Map<string, number>;
  answered: Map<string, number>;
  total: () => number;
} {
  const { endpoint } = localKinesis();
  const client = new KinesisClient({ region: 'us-east-1', endpoint, credentials, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  const started = new Map<string, number>();
  const answered = new Map<string, number>();
  const bump = (counts: Map<string, number>, name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      bump(started, context.commandName!);
      const error = await fault(context.commandName!, started.get(context.commandName!)!);
      if (error !== undefined) throw error;
      const output = await next(args);
      bump(answered, context.commandName!);
      return output;
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { client, started, answered, total: () => [...started.values()].reduce((a, b) => a + b, 0) };
}

/** Resolves once `condition` holds, checking every 20 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

async function waitActive(stream: string): Promise<void> {
  for (;;) {
    const summary = await localKinesis().client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(10);
  }
}

/** Splits a shard at the middle of its hash key range and waits until the stream is active. */
async function splitShard(stream: string, shardId: string): Promise<void> {
  const shard = (await listShards(localKinesis().client, { StreamName: stream })).find((s) => s.ShardId === shardId)!;
  const low = BigInt(shard.HashKeyRange!.StartingHashKey!);
  const high = BigInt(shard.HashKeyRange!.EndingHashKey!);
  await localKinesis().client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: String((low + high) / 2n) }));
  await waitActive(stream);
}

/** Each shard's records are in increasing sequence number order. */
function expectInOrderPerShard(records: readonly KinesisReadRecord[]): void {
  const last = new Map<string, KinesisReadRecord>();
  for (const record of records) {
    const before = last.get(record.shardId);
    if (before !== undefined) {
      const order = BigInt(record.sequenceNumber) - BigInt(before.sequenceNumber);
      expect(order > 0n || (order === 0n && record.subSequenceNumber! > before.subSequenceNumber!), `${record.shardId} order`).to.equal(true);
    }
    last.set(record.shardId, record);
  }
}

interface Item {
  readonly key: string;
  readonly n: number;
}

describe('fromKinesis against kinesalite', function () {
  this.timeout(60_000);

  it('reads every record of every shard once from TRIM_HORIZON, in order per shard, as written', async () => {
    const stream = await newStream(4);
    const items: Item[] = Array.from({ length: 2000 }, (_, n) => ({ key: `k${n % 53}`, n }));
    const written = await write(stream, items, { partitionKey: 'key' });

    const records = await readBack(reading({ streamName: stream, startingPosition: 'TRIM_HORIZON' }), items.length);

    expect(records).to.have.length(items.length);
    expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal(items.map((item) => item.n));
    expect(new Set(records.map((r) => r.shardId)).size).to.equal(4);
    expectInOrderPerShard(records);
    const landed = new Map(written.map((result) => [`${result.shardId}/${result.sequenceNumber}`, result]));
    for (const record of records) {
      const result = landed.get(`${record.shardId}/${record.sequenceNumber}`)!;
      expect(json<Item>(record)).to.deep.equal(result.item);
      expect(record.partitionKey).to.equal(result.partitionKey);
      expect(record).not.to.have.property('subSequenceNumber');
      expect(record).not.to.have.property('explicitHashKey');
      expect(record.approximateArrivalTimestamp).to.be.instanceOf(Date);
    }
    // Per key, in the order written.
    for (const key of new Set(items.map((item) => item.key))) {
      expect(records.filter((r) => r.partitionKey === key).map((r) => json<Item>(r).n)).to.deep.equal(items.filter((i) => i.key === key).map((i) => i.n));
    }
  });

  it('reads from the start of the stream by default, and with a page limit', async () => {
    const stream = await newStream(1);
    const items = Array.from({ length: 50 }, (_, n) => ({ key: 'k', n }));
    await write(stream, items);
    const counting = countingClient();
    try {
      const records = await readBack({ streamName: stream, client: counting.client, logger: silentLogger, pollInterval: '200ms', limit: 10 }, items.length, 300);
      expect(records.map((r) => json<Item>(r).n)).to.deep.equal(items.map((i) => i.n));
      expect(counting.answered.get('GetRecordsCommand')).to.be.at.least(5);
    } finally {
      counting.client.destroy();
    }
  });

  it("LATEST reads only what is written after subscribing", async () => {
    const stream = await newStream(2);
    await write(stream, Array.from({ length: 100 }, (_, n) => ({ key: `old${n}`, n })));
    const counting = countingClient();
    try {
      const records$ = fromKinesis({ streamName: stream, client: counting.client, startingPosition: 'LATEST', pollInterval: '200ms', logger: silentLogger }).pipe(share());
      const fresh = Array.from({ length: 100 }, (_, n) => ({ key: `new${n}`, n: 1000 + n }));
      const read = lastValueFrom(records$.pipe(takeUntil(records$.pipe(skip(fresh.length - 1), take(1), delay(1000))), toArray()));
      // Both shards have their LATEST iterator before anything new is written.
      await until(() => (counting.answered.get('GetShardIteratorCommand') ?? 0) >= 2);
      await write(stream, fresh);
      const records = await read;
      expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal(fresh.map((i) => i.n));
    } finally {
      counting.client.destroy();
    }
  });

  it('a Date start reads the records that arrived from then on', async () => {
    const stream = await newStream(2);
    const max = ((1n << 128n) - 1n).toString();
    // Every shard gets records after the date (kinesalite never answers AT_TIMESTAMP on a shard with none).
    const hashKey = (item: Item) => (item.n % 2 === 0 ? '0' : max);
    await write(stream, Array.from({ length: 40 }, (_, n) => ({ key: 'k', n })), { explicitHashKey: hashKey });
    await sleep(50);
    const since = new Date();
    await sleep(50);
    const later = Array.from({ length: 40 }, (_, n) => ({ key: 'k', n: 100 + n }));
    await write(stream, later, { explicitHashKey: hashKey });

    const records = await readBack(reading({ streamName: stream, startingPosition: since }), later.length);
    expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal(later.map((i) => i.n));
    for (const record of records) expect(record.approximateArrivalTimestamp.getTime()).to.be.at.least(since.getTime());
  });

  it('after a split, reads the parent to its end before its children, every record once', async () => {
    const stream = await newStream(1);
    const before = Array.from({ length: 300 }, (_, n) => ({ key: `k${n % 20}`, n }));
    await write(stream, before, { partitionKey: 'key' });
    await splitShard(stream, 'shardId-000000000000');
    const after = Array.from({ length: 300 }, (_, n) => ({ key: `k${n % 20}`, n: 300 + n }));
    const written = await write(stream, after, { partitionKey: 'key' });
    expect(new Set(written.map((r) => r.shardId)).size, 'both children written to').to.equal(2);

    const records = await readBack(reading({ streamName: stream }), before.length + after.length);
    expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal([...before, ...after].map((i) => i.n));
    const parentRecords = records.filter((r) => r.shardId === 'shardId-000000000000');
    expect(parentRecords).to.have.length(before.length);
    // Every parent record comes before any child record; per key, in the order written.
    const firstChild = records.findIndex((r) => r.shardId !== 'shardId-000000000000');
    expect(firstChild).to.equal(before.length);
    expectInOrderPerShard(records);
    for (let k = 0; k < 20; k++) {
      const ns = records.filter((r) => r.partitionKey === `k${k}`).map((r) => json<Item>(r).n);
      expect(ns).to.deep.equal([...ns].sort((a, b) => a - b));
    }
  });

  it('finds the children of a shard split while it is read, and reads them from their start', async () => {
    const stream = await newStream(1);
    const logger = recordingLogger();
    const records$ = fromKinesis(reading({ streamName: stream, logger, shardSyncInterval: '1h' })).pipe(share());
    const total = 400;
    const read = lastValueFrom(records$.pipe(takeUntil(records$.pipe(skip(total - 1), take(1), delay(1000))), toArray()));
    const first = Array.from({ length: 200 }, (_, n) => ({ key: `k${n % 10}`, n }));
    await write(stream, first, { partitionKey: 'key' });
    await until(() => logger.lines.some((line) => line.message.startsWith('reading shardId-000000000000')));
    await splitShard(stream, 'shardId-000000000000');
    const second = Array.from({ length: 200 }, (_, n) => ({ key: `k${n % 10}`, n: 200 + n }));
    await write(stream, second, { partitionKey: 'key' });

    const records = await read;
    expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal([...first, ...second].map((i) => i.n));
    expect(records.slice(0, first.length).every((r) => r.shardId === 'shardId-000000000000')).to.equal(true);
    expect(new Set(records.slice(first.length).map((r) => r.shardId))).to.deep.equal(new Set(['shardId-000000000001', 'shardId-000000000002']));
    // Found by listing again when the parent ended (the periodic listing is an hour away).
    expect(logger.lines.map((line) => line.message)).to.include.members([
      'shardId-000000000000 is read to its end',
      'reading shardId-000000000001 from TRIM_HORIZON',
      'reading shardId-000000000002 from TRIM_HORIZON',
    ]);
  });

  it('after a merge, reads both parents to their end before the child', async () => {
    const stream = await newStream(2);
    const max = ((1n << 128n) - 1n).toString();
    const hashKey = (item: Item) => (item.n % 2 === 0 ? '0' : max);
    const before = Array.from({ length: 100 }, (_, n) => ({ key: 'k', n }));
    await write(stream, before, { explicitHashKey: hashKey });
    await localKinesis().client.send(
      new MergeShardsCommand({ StreamName: stream, ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000001' }),
    );
    await waitActive(stream);
    const after = Array.from({ length: 100 }, (_, n) => ({ key: 'k', n: 100 + n }));
    const written = await write(stream, after, { explicitHashKey: hashKey });
    expect(new Set(written.map((r) => r.shardId))).to.deep.equal(new Set(['shardId-000000000002']));

    const logger = recordingLogger();
    const records = await readBack(reading({ streamName: stream, logger }), before.length + after.length);
    expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal([...before, ...after].map((i) => i.n));
    const log = logger.lines.map((line) => line.message);
    const childStart = log.indexOf('reading shardId-000000000002 from TRIM_HORIZON');
    expect(childStart).to.be.greaterThan(log.indexOf('shardId-000000000000 is read to its end'));
    expect(childStart).to.be.greaterThan(log.indexOf('shardId-000000000001 is read to its end'));
    expect(log.indexOf('shardId-000000000001 is read to its end')).to.be.at.least(0);
    expect(records.slice(0, before.length).every((r) => r.shardId !== 'shardId-000000000002')).to.equal(true);
    expect(records.slice(before.length).every((r) => r.shardId === 'shardId-000000000002')).to.equal(true);
  });

  it('reads plain and KPL-aggregated records mixed in a shard, each user record with its own keys', async () => {
    const stream = await newStream(1);
    const aggregate = encodeAggregate([
      { partitionKey: 'user-a', data: bytes('a0') },
      { partitionKey: 'user-b', explicitHashKey: '12345', data: bytes('b1') },
      { partitionKey: 'user-a', data: bytes('a2') },
    ]);
    const notQuite = Uint8Array.from([...aggregate.slice(0, -1), aggregate[aggregate.length - 1]! ^ 0xff]); // magic, wrong MD5
    const { Records: answer = [] } = await localKinesis().client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [
          { PartitionKey: 'plain-1', Data: bytes('p1') },
          { PartitionKey: 'agg', Data: aggregate },
          { PartitionKey: 'plain-2', Data: bytes('p2') },
          { PartitionKey: 'bad-md5', Data: notQuite },
          { PartitionKey: 'agg-2', Data: encodeAggregate([{ partitionKey: 'user-c', data: bytes('c0') }]) },
        ],
      }),
    );
    const sequence = answer.map((entry) => entry.SequenceNumber!);

    const records = await readBack(reading({ streamName: stream }), 7);
    const shape = records.map(({ data, partitionKey, explicitHashKey, sequenceNumber, subSequenceNumber, shardId }) => ({
      data: Buffer.from(data).toString('latin1'),
      partitionKey,
      explicitHashKey,
      sequenceNumber,
      subSequenceNumber,
      shardId,
    }));
    const shardId = 'shardId-000000000000';
    expect(shape).to.deep.equal([
      { data: 'p1', partitionKey: 'plain-1', explicitHashKey: undefined, sequenceNumber: sequence[0], subSequenceNumber: undefined, shardId },
      { data: 'a0', partitionKey: 'user-a', explicitHashKey: undefined, sequenceNumber: sequence[1], subSequenceNumber: 0, shardId },
      { data: 'b1', partitionKey: 'user-b', explicitHashKey: '12345', sequenceNumber: sequence[1], subSequenceNumber: 1, shardId },
      { data: 'a2', partitionKey: 'user-a', explicitHashKey: undefined, sequenceNumber: sequence[1], subSequenceNumber: 2, shardId },
      { data: 'p2', partitionKey: 'plain-2', explicitHashKey: undefined, sequenceNumber: sequence[2], subSequenceNumber: undefined, shardId },
      { data: Buffer.from(notQuite).toString('latin1'), partitionKey: 'bad-md5', explicitHashKey: undefined, sequenceNumber: sequence[3], subSequenceNumber: undefined, shardId },
      { data: 'c0', partitionKey: 'user-c', explicitHashKey: undefined, sequenceNumber: sequence[4], subSequenceNumber: 0, shardId },
    ]);
  });

  it('round trip: toKinesis({ aggregation: true }) -> fromKinesis returns every item, where toKinesis said it landed', async () => {
    const stream = await newStream(4);
    const items: Item[] = Array.from({ length: 3000 }, (_, n) => ({ key: `k${n % 97}`, n }));
    const written = await write(stream, items, { partitionKey: 'key', aggregation: true, batch: { size: 1000, duration: '1s' } });
    const kinesisRecords = new Set(written.map((r) => `${r.shardId}/${r.sequenceNumber}`)).size;
    expect(kinesisRecords, 'Kinesis records written').to.be.lessThan(items.length / 10);

    const records = await readBack(reading({ streamName: stream }), items.length);
    expect(records).to.have.length(items.length);
    expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal(items.map((i) => i.n));
    expectInOrderPerShard(records);
    const landed = new Map(written.map((result) => [`${result.shardId}/${result.sequenceNumber}/${result.subSequenceNumber}`, result]));
    for (const record of records) {
      expect(record.subSequenceNumber).to.be.a('number');
      const result = landed.get(`${record.shardId}/${record.sequenceNumber}/${record.subSequenceNumber}`);
      expect(result?.item).to.deep.equal(json<Item>(record));
      expect(record.partitionKey).to.equal(json<Item>(record).key);
    }
    for (const key of new Set(items.map((item) => item.key))) {
      expect(records.filter((r) => r.partitionKey === key).map((r) => json<Item>(r).n)).to.deep.equal(items.filter((i) => i.key === key).map((i) => i.n));
    }
  });

  it('rides out throttled GetRecords calls (every other one refused) and reads every record once, in order', async () => {
    const stream = await newStream(2);
    const items = Array.from({ length: 200 }, (_, n) => ({ key: `k${n % 7}`, n }));
    await write(stream, items, { partitionKey: 'key' });
    const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard (injected)', $metadata: { httpStatusCode: 400 } });
    const counting = countingClient((command, count) => (command === 'GetRecordsCommand' && count % 2 === 1 ? throttled() : undefined));
    const logger = recordingLogger();
    try {
      const records = await readBack(
        { streamName: stream, client: counting.client, logger, limit: 25, pollInterval: '200ms', retry: { minDelay: '10ms', maxDelay: '50ms' } },
        items.length,
      );
      expect(records.map((r) => json<Item>(r).n).sort((a, b) => a - b)).to.deep.equal(items.map((i) => i.n));
      expectInOrderPerShard(records);
      const refused = Math.ceil(counting.started.get('GetRecordsCommand')! / 2);
      expect(refused).to.be.at.least(8);
      expect(logger.lines.filter((line) => line.message.includes('failed with ProvisionedThroughputExceededException'))).to.have.length(refused);
    } finally {
      counting.client.destroy();
    }
  });

  it('after an expired iterator, goes on right after the last record emitted: nothing missed, nothing twice', async () => {
    const stream = await newStream(1);
    const items = Array.from({ length: 50 }, (_, n) => ({ key: 'k', n }));
    await write(stream, items);
    const expired = () => new ExpiredIteratorException({ message: 'Iterator expired (injected)', $metadata: { httpStatusCode: 400 } });
    const counting = countingClient((command, count) => (command === 'GetRecordsCommand' && count === 3 ? expired() : undefined));
    try {
      const records = await readBack({ streamName: stream, client: counting.client, logger: silentLogger, limit: 10, pollInterval: '200ms' }, items.length);
      expect(records.map((r) => json<Item>(r).n)).to.deep.equal(items.map((i) => i.n));
      expect(counting.started.get('GetShardIteratorCommand')).to.equal(2);
    } finally {
      counting.client.destroy();
    }
  });

  it('LATEST, with the iterator expired before the first record: resumes where it began, and reads every record written after subscribing', async () => {
    const stream = await newStream(1);
    const old = Array.from({ length: 30 }, (_, n) => ({ key: 'k', n }));
    await write(stream, old);
    await sleep(50);
    let written!: () => void;
    const allWritten = new Promise<void>((resolve) => (written = resolve));
    const expired = () => new ExpiredIteratorException({ message: 'Iterator expired (injected)', $metadata: { httpStatusCode: 400 } });
    // The first GetRecords is held until every record is written, then fails as expired.
    const counting = countingClient(async (command, count) => (command === 'GetRecordsCommand' && count === 1 ? allWritten.then(expired) : undefined));
    try {
      const read = readBackBy({ streamName: stream, client: counting.client, startingPosition: 'LATEST', pollInterval: '200ms', logger: silentLogger }, 20, allWritten);
      await until(() => (counting.started.get('GetRecordsCommand') ?? 0) >= 1);
      const fresh = Array.from({ length: 20 }, (_, n) => ({ key: 'k', n: 100 + n }));
      await write(stream, fresh);
      written();
      const records = await read;
      expect(records.map((r) => json<Item>(r).n)).to.deep.equal(fresh.map((i) => i.n));
      expect(counting.started.get('GetShardIteratorCommand')).to.equal(2);
    } finally {
      counting.client.destroy();
    }
  });

  it('stops on unsubscribe: no request is made after it', async () => {
    const stream = await newStream(3);
    await write(stream, Array.from({ length: 30 }, (_, n) => ({ key: `k${n}`, n })));
    const counting = countingClient();
    try {
      const subscription = fromKinesis({ streamName: stream, client: counting.client, pollInterval: '200ms', shardSyncInterval: '200ms', logger: silentLogger }).subscribe();
      await until(() => (counting.answered.get('GetRecordsCommand') ?? 0) >= 6);
      subscription.unsubscribe();
      const requests = counting.total();
      await sleep(1500);
      expect(counting.total()).to.equal(requests);
    } finally {
      counting.client.destroy();
    }
  });

  it('errors with the SDK error when the stream does not exist, after one request', async () => {
    const counting = countingClient();
    try {
      const error = await lastValueFrom(fromKinesis({ streamName: uniqueStreamName('missing'), client: counting.client, logger: silentLogger })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.have.property('name', 'ResourceNotFoundException');
      expect(counting.total()).to.equal(1);
    } finally {
      counting.client.destroy();
    }
  });

  it('passes on an SDK error without the HTTP exchange it came from: no session token, no signature', async () => {
    const secret = { accessKeyId: 'AKID-SPEC', secretAccessKey: 'SECRET-ACCESS-KEY', sessionToken: 'SECRET-SESSION-TOKEN' };
    const counting = countingClient(undefined, secret);
    try {
      const error = await lastValueFrom(fromKinesis({ streamName: uniqueStreamName('missing'), client: counting.client, logger: silentLogger })).then(
        () => undefined,
        (e: unknown) => e,
      );
      const shown = inspect(error, { showHidden: true, depth: null });
      expect(shown).not.to.include('SECRET-SESSION-TOKEN');
      expect(shown).not.to.include('Signature=');
      expect(error).to.be.instanceOf(ResourceNotFoundException);
      expect(error).to.include({ name: 'ResourceNotFoundException', $fault: 'client' });
      expect(error).to.have.nested.property('$metadata.httpStatusCode', 400);
      expect(error).to.have.nested.property('$metadata.requestId').that.is.a('string');
      expect((error as Error).message).to.match(/not found/);
      expect(error).not.to.have.property('$response');
    } finally {
      counting.client.destroy();
    }
  });
});
