/**
 * The shard simulator (spec/support/shardSimulator.ts), checked with a real `KinesisClient`:
 * routing by MD5 and explicit hash key, the record and byte limits of a shard and their refill,
 * large records, the request limits, splits, whole-request throttles, latency, the counters, and
 * `fromKinesis` reading back exactly what landed.
 *
 * Timing: rates are set low (100 records/s) where a test depends on time, and every bound leaves
 * room for the refill during the test's own requests on a slow machine.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
  UpdateMaxRecordSizeCommand,
  CreateStreamCommand,
} from '@aws-sdk/client-kinesis';
import type { GetShardIteratorCommandInput, KinesisClient, PutRecordsCommandOutput, PutRecordsRequestEntry, Shard } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { fromKinesis } from '../../lib/index.js';
import { silentLogger } from './collect.js';
import { startShardSimulator } from './shardSimulator.js';
import type { ShardSimulator } from './shardSimulator.js';

const ACCOUNT = '123456789012';
const MiB = 1024 * 1024;

/** The hash key the service places a key by: its MD5 as an unsigned big-endian integer. */
const md5 = (key: string): bigint => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);

/** The shard of `shards` (open ones) whose range holds `hashKey`. */
function shardHolding(shards: readonly Shard[], hashKey: bigint): string {
  const holding = shards.filter(
    (shard) =>
      shard.SequenceNumberRange?.EndingSequenceNumber === undefined &&
      BigInt(shard.HashKeyRange!.StartingHashKey!) <= hashKey &&
      hashKey <= BigInt(shard.HashKeyRange!.EndingHashKey!),
  );
  expect(holding).to.have.length(1);
  return holding[0]!.ShardId!;
}

/** `count` records with keys `<prefix>-<i>` and `bytes` bytes of data each. */
const entries = (count: number, prefix: string, bytes = 10): PutRecordsRequestEntry[] =>
  Array.from({ length: count }, (_, index) => ({ PartitionKey: `${prefix}-${index}`, Data: Buffer.alloc(bytes, index % 256) }));

/** Records written and throttled in an answer, checked against its `FailedRecordCount`. */
function tally(answer: PutRecordsCommandOutput): { accepted: number; throttled: number } {
  const throttled = answer.Records!.filter((record) => record.ErrorCode !== undefined).length;
  expect(answer.FailedRecordCount).to.equal(throttled);
  return { accepted: answer.Records!.length - throttled, throttled };
}

/** The error a request is refused with. */
async function refusal(request: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await request;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('the request was not refused');
}

let streams = 0;
/** A fresh stream name. */
const streamName = (): string => `sim-${++streams}`;

describe('the shard simulator', () => {
  let sim: ShardSimulator;
  let client: KinesisClient;
  before(async () => {
    sim = await startShardSimulator();
    client = sim.client({ maxAttempts: 1 });
  });
  after(() => sim.close());

  const put = (name: string, records: PutRecordsRequestEntry[], by = client) => by.send(new PutRecordsCommand({ StreamName: name, Records: records }));
  const listShards = async (name: string) => (await client.send(new ListShardsCommand({ StreamName: name }))).Shards!;

  it('creates a stream split evenly, ACTIVE, as DescribeStreamSummary and ListShards report it', async () => {
    const name = streamName();
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 3 }));
    const { StreamDescriptionSummary: summary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    expect(summary).to.include({ StreamName: name, StreamStatus: 'ACTIVE', OpenShardCount: 3, MaxRecordSizeInKiB: 1024 });
    expect(summary!.StreamARN).to.equal(`arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`);
    const third = (2n ** 128n) / 3n;
    expect((await listShards(name)).map((shard) => [shard.HashKeyRange!.StartingHashKey, shard.HashKeyRange!.EndingHashKey])).to.deep.equal([
      ['0', String(third - 1n)],
      [String(third), String(2n * third - 1n)],
      [String(2n * third), String(2n ** 128n - 1n)],
    ]);
  });

  it('routes each key to the open shard whose range holds its MD5, and an explicit hash key to its shard', async () => {
    const name = streamName();
    sim.createStream(name, 4);
    const shards = await listShards(name);
    const byKey = entries(200, 'route');
    const byHashKey = shards.flatMap((shard) =>
      [shard.HashKeyRange!.StartingHashKey!, shard.HashKeyRange!.EndingHashKey!].map((hashKey) => ({ PartitionKey: 'same-key', ExplicitHashKey: hashKey, Data: Buffer.from(hashKey) })),
    );
    const answer = await put(name, [...byKey, ...byHashKey]);
    expect(tally(answer).throttled).to.equal(0);
    const expected = [...byKey.map((record) => shardHolding(shards, md5(record.PartitionKey!))), ...byHashKey.map((record) => shardHolding(shards, BigInt(record.ExplicitHashKey!)))];
    expect(answer.Records!.map((record) => record.ShardId)).to.deep.equal(expected);
    expect(new Set(expected).size).to.equal(4);
    const stored = Object.values(sim.records(name)).flat();
    expect(stored.filter((record) => record.explicitHashKey !== undefined).map((record) => record.shardId)).to.deep.equal(
      byHashKey.map((record) => shardHolding(shards, BigInt(record.ExplicitHashKey!))).sort(),
    );
  });

  it('throttles a burst of 1,500 records to one shard: about 1,000 accepted, the rest with the service message', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    const started = performance.now();
    const answers = await Promise.all([0, 1, 2].map((round) => put(name, entries(500, `burst-${round}`))));
    const elapsedMs = performance.now() - started;
    const counts = answers.map(tally);
    const accepted = counts.reduce((sum, count) => sum + count.accepted, 0);
    expect(accepted).to.be.at.least(1000);
    expect(accepted).to.be.at.most(1000 + Math.ceil(elapsedMs) + 1); // the refill during the requests: 1 record per ms
    const failures = answers.flatMap((answer) => answer.Records!.filter((record) => record.ErrorCode !== undefined));
    expect(failures).to.have.length(1500 - accepted);
    for (const failure of failures) {
      expect(failure).to.deep.equal({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${name} under account ${ACCOUNT}.`,
      });
    }
    const stats = sim.stats().streams[name]!;
    expect(stats).to.include({ acceptedRecords: accepted, throttledRecords: 1500 - accepted });
    expect(sim.records(name)['shardId-000000000000']).to.have.length(accepted);
  });

  it('throttles by bytes: 1 MiB per second, data plus the UTF-8 bytes of the partition key', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    // 10 records of 100 KiB fit in the 1 MiB burst; the 11th does not (one request: one instant).
    expect(tally(await put(name, entries(20, 'large', 100 * 1024))).accepted).to.equal(10);

    const keys = streamName();
    sim.createStream(keys, 1);
    // 'é' is 2 bytes: 2 x (524,287 + 2) = 1,048,578 > 1 MiB, where counting characters would fit exactly.
    const halves = [0, 1].map(() => ({ PartitionKey: 'é', Data: Buffer.alloc(MiB / 2 - 1) }));
    const answer = await put(keys, halves);
    expect(answer.Records!.map((record) => record.ErrorCode ?? 'ok')).to.deep.equal(['ok', 'ProvisionedThroughputExceededException']);
    expect(sim.stats().streams[keys]!.acceptedBytes).to.equal(MiB / 2 + 1);
  });

  it('refills continuously: a drained shard accepts again a second later', async () => {
    const name = streamName();
    sim.createStream(name, 1, { recordsPerSecond: 100 });
    const started = performance.now();
    expect(tally(await put(name, entries(100, 'first'))).accepted).to.equal(100);
    const again = tally(await put(name, entries(100, 'again')));
    expect(again.accepted).to.be.at.most(Math.ceil((performance.now() - started) / 10) + 1); // the refill since the bucket was drained
    await sleep(1_100);
    expect(tally(await put(name, entries(100, 'later'))).accepted).to.equal(100);
  });

  it('lets a record larger than the byte burst through a full bucket, then throttles until the debt is paid', async () => {
    const name = streamName();
    sim.createStream(name, 1, { maxRecordSizeKiB: 4096 });
    expect(tally(await put(name, entries(1, 'huge', 3 * MiB))).accepted).to.equal(1);
    expect(tally(await put(name, entries(1, 'small', 100))).throttled).to.equal(1);
    expect(sim.stats().streams[name]!.acceptedBytes).to.equal(3 * MiB + 'huge-0'.length);
  });

  it('refuses more than 500 records with the ValidationException of the request model', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    const error = await refusal(put(name, entries(501, 'many')));
    expect(error.name).to.equal('ValidationException');
    expect(error.$metadata.httpStatusCode).to.equal(400);
    expect(error.message).to.match(/^1 validation error detected: Value '\[.+\]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/);
    expect(sim.records(name)['shardId-000000000000']).to.deep.equal([]);
  });

  it("refuses a record over the stream's maximum record size, and a request over 10 MiB, with InvalidArgumentException", async () => {
    const name = streamName();
    sim.createStream(name, 2);
    const oversize = await refusal(put(name, [...entries(3, 'fine'), { PartitionKey: 'k', Data: Buffer.alloc(MiB) }]));
    expect(oversize.name).to.equal('InvalidArgumentException');
    expect(oversize.message).to.include('1048577 bytes').and.include('1048576');
    const tooMuch = await refusal(put(name, entries(11, 'heavy', 1_000_000)));
    expect(tooMuch).to.include({ name: 'InvalidArgumentException', message: 'Records size exceeds 10 MB limit' });
    expect(Object.values(sim.records(name)).flat()).to.deep.equal([]);

    await client.send(new UpdateMaxRecordSizeCommand({ StreamARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`, MaxRecordSizeInKiB: 2048 }));
    const { StreamDescriptionSummary: summary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    expect(summary!.MaxRecordSizeInKiB).to.equal(2048);
    expect(tally(await put(name, [{ PartitionKey: 'k', Data: Buffer.alloc(MiB) }])).accepted).to.equal(1);
  });

  it('refuses a stream that does not exist with ResourceNotFoundException', async () => {
    const error = await refusal(put('no-such-stream', entries(1, 'lost')));
    expect(error).to.include({ name: 'ResourceNotFoundException', message: `Stream no-such-stream under account ${ACCOUNT} not found.` });
  });

  it('splits a shard: the parent closes, two children with fresh buckets take the keys of their halves', async () => {
    const name = streamName();
    sim.createStream(name, 1, { recordsPerSecond: 100 });
    expect(tally(await put(name, entries(100, 'before'))).accepted).to.equal(100); // the parent's bucket is empty
    await client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: String(2n ** 127n) }));

    const shards = await listShards(name);
    expect(shards).to.have.length(3);
    const [parent, low, high] = shards;
    expect(parent!.SequenceNumberRange!.EndingSequenceNumber).to.be.a('string');
    expect([low!.ParentShardId, high!.ParentShardId]).to.deep.equal([parent!.ShardId, parent!.ShardId]);
    expect([low!.HashKeyRange, high!.HashKeyRange]).to.deep.equal([
      { StartingHashKey: '0', EndingHashKey: String(2n ** 127n - 1n) },
      { StartingHashKey: String(2n ** 127n), EndingHashKey: String(2n ** 128n - 1n) },
    ]);
    const { StreamDescriptionSummary: summary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    expect(summary!.OpenShardCount).to.equal(2);

    const after = entries(150, 'after');
    const answer = await put(name, after);
    expect(tally(answer).throttled).to.equal(0);
    expect(answer.Records!.map((record) => record.ShardId)).to.deep.equal(after.map((record) => shardHolding(shards, md5(record.PartitionKey!))));
    const stored = sim.records(name);
    expect(stored[parent!.ShardId!]).to.have.length(100);
    const ending = BigInt(parent!.SequenceNumberRange!.EndingSequenceNumber!);
    expect(stored[parent!.ShardId!]!.every((record) => BigInt(record.sequenceNumber) < ending)).to.equal(true);
    expect([...stored[low!.ShardId!]!, ...stored[high!.ShardId!]!].every((record) => BigInt(record.sequenceNumber) > ending)).to.equal(true);
  });

  it('shares a shard between two clients: one bucket', async () => {
    const name = streamName();
    sim.createStream(name, 1, { recordsPerSecond: 100 });
    const other = sim.client({ maxAttempts: 1 });
    const started = performance.now();
    const answers = await Promise.all([put(name, entries(100, 'one')), put(name, entries(100, 'two'), other)]);
    const elapsedMs = performance.now() - started;
    const accepted = answers.map(tally).reduce((sum, count) => sum + count.accepted, 0);
    expect(accepted).to.be.at.least(100).and.at.most(100 + Math.ceil(elapsedMs / 10) + 1);
    expect(sim.stats().streams[name]!.throttledRecords).to.equal(200 - accepted);
  });

  it('positions iterators at TRIM_HORIZON, LATEST, AT_TIMESTAMP and AT/AFTER_SEQUENCE_NUMBER', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    const ShardId = 'shardId-000000000000';
    const read = async (position: Omit<GetShardIteratorCommandInput, 'StreamName' | 'ShardId'>, Limit?: number) => {
      const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId, ...position }));
      return client.send(new GetRecordsCommand({ ShardIterator, Limit }));
    };
    const keys = async (position: Omit<GetShardIteratorCommandInput, 'StreamName' | 'ShardId'>) => (await read(position)).Records!.map((record) => record.PartitionKey);
    const latest = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId, ShardIteratorType: 'LATEST' }));

    const first = await put(name, entries(5, 'a'));
    await sleep(30);
    const between = new Date();
    await sleep(30);
    await put(name, entries(5, 'b'));
    const third = first.Records![2]!.SequenceNumber!;

    expect(await keys({ ShardIteratorType: 'TRIM_HORIZON' })).to.deep.equal([...entries(5, 'a'), ...entries(5, 'b')].map((record) => record.PartitionKey));
    expect(await keys({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: third })).to.have.ordered.members(['a-2', 'a-3', 'a-4', 'b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    expect(await keys({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: third })).to.have.ordered.members(['a-3', 'a-4', 'b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    expect(await keys({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: between })).to.have.ordered.members(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    const fromLatest = await client.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }));
    expect(fromLatest.Records).to.have.length(10);
    expect(await keys({ ShardIteratorType: 'LATEST' })).to.deep.equal([]);

    const partial = await read({ ShardIteratorType: 'TRIM_HORIZON' }, 4);
    expect(partial.Records).to.have.length(4);
    expect(partial.MillisBehindLatest).to.be.greaterThan(0);
    const rest = await client.send(new GetRecordsCommand({ ShardIterator: partial.NextShardIterator }));
    expect(rest.Records).to.have.length(6);
    expect(rest.MillisBehindLatest).to.equal(0);
    expect(rest.NextShardIterator).to.be.a('string'); // open shard: reading goes on
  });

  it('ends a closed shard: no NextShardIterator once read to its end, and its children named', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    await put(name, entries(3, 'closed'));
    const children = sim.splitShard(name, 'shardId-000000000000');
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await client.send(new GetRecordsCommand({ ShardIterator }));
    expect(page.Records).to.have.length(3);
    expect(page.NextShardIterator).to.equal(undefined);
    expect(page.ChildShards!.map((child) => child.ShardId)).to.deep.equal(children);
  });

  it('fromKinesis reads back exactly what landed, shard by shard in order, across a split and paged listings', async () => {
    const paged = await startShardSimulator({ recordsPerSecond: 120, listShardsPageSize: 2 });
    try {
      const name = 'read-back';
      paged.createStream(name, 3);
      const writer = paged.client({ maxAttempts: 1 });
      const send = (records: PutRecordsRequestEntry[]) => writer.send(new PutRecordsCommand({ StreamName: name, Records: records }));
      expect(tally(await send(entries(500, 'one'))).throttled).to.be.greaterThan(0); // ~167 per shard, at most 120 each
      paged.splitShard(name, 'shardId-000000000001');
      await send(entries(500, 'two'));
      await send(entries(200, 'three'));

      const landed = paged.records(name);
      const total = Object.values(landed).flat().length;
      const read = await firstValueFrom(
        fromKinesis({ streamName: name, endpoint: paged.endpoint, region: paged.region, credentials: paged.credentials, pollInterval: '200ms', logger: silentLogger }).pipe(
          take(total),
          toArray(),
          timeout(10_000),
        ),
      );
      const byShard = (records: readonly { shardId: string; sequenceNumber: string; partitionKey: string; data: Uint8Array }[]) =>
        Object.fromEntries(
          Object.keys(landed).map((shardId) => [
            shardId,
            records.filter((record) => record.shardId === shardId).map((record) => `${record.sequenceNumber} ${record.partitionKey} ${Buffer.from(record.data).toString('hex')}`),
          ]),
        );
      expect(byShard(read)).to.deep.equal(byShard(Object.values(landed).flat()));
      expect(Object.keys(landed)).to.have.length(5);
    } finally {
      await paged.close();
    }
  });

  it('throttles whole requests (ProvisionedThroughputExceededException, KMSThrottlingException) by chance, seeded', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    sim.reset();
    try {
      sim.configure({ requestThrottleChance: 1 });
      const throttled = await refusal(put(name, entries(1, 'x')));
      expect(throttled).to.include({ name: 'ProvisionedThroughputExceededException', message: `Rate exceeded for stream ${name} under account ${ACCOUNT}.` });
      expect(throttled.$metadata.httpStatusCode).to.equal(400);
      sim.configure({ requestThrottleChance: 0, kmsThrottleChance: 1 });
      expect((await refusal(put(name, entries(1, 'y')))).name).to.equal('KMSThrottlingException');

      sim.configure({ kmsThrottleChance: 0, requestThrottleChance: 0.5, seed: 7 });
      const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => put(name, entries(1, 'z'))));
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected').length;
      expect(refused).to.be.within(8, 32);
      const stats = sim.stats();
      expect(stats).to.include({ wholeRequestThrottles: 1 + refused, kmsThrottles: 1 });
      expect(stats.requests['PutRecords']).to.equal(42);
      expect(sim.records(name)['shardId-000000000000']).to.have.length(40 - refused);
    } finally {
      sim.configure({ requestThrottleChance: 0, kmsThrottleChance: 0 });
    }
  });

  it('delays answers by the configured latency, fixed or in a range', async () => {
    const name = streamName();
    sim.createStream(name, 1);
    const timed = async (): Promise<number> => {
      const started = performance.now();
      await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      return performance.now() - started;
    };
    try {
      sim.configure({ latencyMs: 150 });
      expect(await timed()).to.be.at.least(140);
      sim.configure({ latencyMs: [60, 80] });
      expect(await timed()).to.be.at.least(55);
    } finally {
      sim.configure({ latencyMs: 0 });
    }
  });

  it('counts how busy each shard was: accepted records over what its rate allows while it was open', async () => {
    const name = streamName();
    sim.createStream(name, 2, { recordsPerSecond: 100 });
    sim.reset();
    await put(name, entries(40, 'busy'));
    sim.splitShard(name, 'shardId-000000000000');
    await sleep(200);
    const { shards, acceptedRecords, capacityRecords, busy } = sim.stats().streams[name]!;
    expect(acceptedRecords).to.equal(40);
    expect(busy).to.be.closeTo(acceptedRecords / capacityRecords, 1e-9);
    const [parent, sibling, child] = shards;
    expect(parent!.open).to.equal(false);
    expect(parent!.openMs).to.be.below(sibling!.openMs - 150); // closed at the split, ~200 ms before the others
    expect(child!.openMs).to.be.at.least(195).and.at.most(sibling!.openMs);
    for (const shard of shards) expect(shard.capacityRecords).to.be.closeTo((100 * shard.openMs) / 1000, 1e-6);
  });
});
