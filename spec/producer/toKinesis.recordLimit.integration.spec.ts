/**
 * `maxRecordBytes: 'stream'`: the stream's own record limit, read with `DescribeStreamSummary`,
 * against the shard simulator (which enforces `MaxRecordSizeInKiB`, raised with
 * `UpdateMaxRecordSize`) and against kinesalite (which does not report it: 1 MiB). Checked by
 * reading back what landed, and by the backlog coming back to zero (a refused record's bytes
 * leave it).
 */
import { DescribeStreamSummaryCommand, UpdateMaxRecordSizeCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { recordingLogger, silentLogger } from '../support/collect.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { startShardSimulator } from '../support/shardSimulator.js';
import type { ShardSimulator } from '../support/shardSimulator.js';
import { denying } from '../support/stubs.js';
import { toKinesis } from '../../lib/index.js';
import type { Backlog, KinesisBatchResult, Logger } from '../../lib/index.js';

const MiB = 1024 * 1024;

interface Doc {
  readonly id: string;
  readonly body: string;
}

const doc = (id: string, bytes: number): Doc => ({ id, body: 'x'.repeat(bytes) });

/** The items: small, 1.5 MiB, 2.5 MiB, small. */
const ITEMS = [doc('small-1', 100), doc('mid', 1.5 * MiB), doc('big', 2.5 * MiB), doc('small-2', 100)];

/** Sends `ITEMS` with `maxRecordBytes: 'stream'`; the results, and the last backlog reported. */
async function send(options: { streamName: string; client?: KinesisClient; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; logger?: Logger }) {
  let backlog: Backlog | undefined;
  const { streamName, logger = silentLogger, client, endpoint, credentials } = options;
  const connection = client === undefined ? { endpoint: endpoint!, credentials: credentials! } : { client };
  const results: KinesisBatchResult<Doc>[] = await lastValueFrom(
    from(ITEMS).pipe(
      toKinesis<Doc>({ streamName, ...connection, logger, partitionKey: 'id', maxRecordBytes: 'stream', batch: { size: 2 }, backlog: { onChange: (now) => (backlog = now) } }),
      toArray(),
    ),
  );
  const outcomes = results.flatMap((result) => result.records);
  return { outcomes: new Map(outcomes.map((outcome) => [outcome.item.id, outcome])), count: outcomes.length, backlog };
}

describe("toKinesis with maxRecordBytes: 'stream'", function () {
  let sim: ShardSimulator;
  before(async () => {
    sim = await startShardSimulator();
  });
  after(() => sim.close());

  it('follows a stream raised to 2 MiB: a 1.5 MiB record is written, one over 2 MiB fails alone with RecordTooLarge, nothing else is lost', async () => {
    const streamName = 'record-limit-2mib';
    sim.createStream(streamName, 2);
    const client = sim.client();
    await client.send(new UpdateMaxRecordSizeCommand({ StreamARN: (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!, MaxRecordSizeInKiB: 2048 }));
    const run = await send({ streamName, client });
    expect(run.count).to.equal(ITEMS.length);
    for (const id of ['small-1', 'mid', 'small-2']) expect(run.outcomes.get(id)!.status, id).to.equal('ok');
    const big = run.outcomes.get('big')!;
    expect(big).to.include({ status: 'failed', errorCode: 'RecordTooLarge', attempts: 0 });
    expect(big.status === 'failed' && big.errorMessage).to.include(`the record limit of stream '${streamName}' (2,097,152 bytes`);
    const stored = Object.values(sim.records(streamName))
      .flat()
      .map((record) => JSON.parse(Buffer.from(record.data).toString('utf8')) as Doc);
    expect(stored.map((item) => item.id).sort()).to.deep.equal(['mid', 'small-1', 'small-2']);
    expect(stored.find((item) => item.id === 'mid')!.body).to.have.length(1.5 * MiB);
    expect(run.backlog).to.deep.equal({ records: 0, bytes: 0, buffered: 0 });
  });

  it("with ordering: 'key', a record refused as over the stream's limit does not hold back the later records of its key", async () => {
    const streamName = 'record-limit-ordered';
    sim.createStream(streamName, 1);
    const items = [doc('a', 100), doc('a', 1.5 * MiB), doc('a', 200), doc('a', 300)].map((item, seq) => ({ ...item, seq }));
    const results = await lastValueFrom(
      from(items).pipe(toKinesis({ streamName, client: sim.client(), logger: silentLogger, partitionKey: 'id', maxRecordBytes: 'stream', ordering: 'key', batch: { size: 1 }, concurrency: 4 }), toArray()),
    );
    const outcomes = results.flatMap((result) => result.records).sort((a, b) => a.item.seq - b.item.seq);
    expect(outcomes.map((outcome) => (outcome.status === 'ok' ? 'ok' : outcome.errorCode))).to.deep.equal(['ok', 'RecordTooLarge', 'ok', 'ok']);
    const stored = Object.values(sim.records(streamName)).flat();
    expect(stored.map((record) => (JSON.parse(Buffer.from(record.data).toString('utf8')) as { seq: number }).seq)).to.deep.equal([0, 2, 3]);
  });

  it('without kinesis:DescribeStreamSummary, holds records to 1 MiB and says so once', async () => {
    const streamName = 'record-limit-denied';
    sim.createStream(streamName, 1, { maxRecordSizeKiB: 4096 });
    const client = denying(sim.client(), DescribeStreamSummaryCommand, 'kinesis:DescribeStreamSummary');
    const logger = recordingLogger();
    const run = await send({ streamName, client, logger });
    expect([...run.outcomes.values()].map((outcome) => [outcome.item.id, outcome.status === 'ok' ? 'ok' : outcome.errorCode])).to.deep.equal([
      ['small-1', 'ok'],
      ['mid', 'RecordTooLarge'],
      ['big', 'RecordTooLarge'],
      ['small-2', 'ok'],
    ]);
    const warnings = logger.lines.filter((line) => line.level === 'warn' && line.message.includes('record limit'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.message).to.include('kinesis:DescribeStreamSummary').and.include('over 1,048,576 bytes');
    expect(run.backlog).to.deep.equal({ records: 0, bytes: 0, buffered: 0 });
  });

  it('against kinesalite, which does not report MaxRecordSizeInKiB: 1 MiB', async () => {
    const streamName = uniqueStreamName('record-limit');
    const local = localKinesis();
    await local.createStream(streamName, 1);
    const run = await send({ streamName, endpoint: local.endpoint, credentials: local.credentials });
    expect([...run.outcomes.values()].map((outcome) => [outcome.item.id, outcome.status === 'ok' ? 'ok' : outcome.errorCode])).to.deep.equal([
      ['small-1', 'ok'],
      ['mid', 'RecordTooLarge'],
      ['big', 'RecordTooLarge'],
      ['small-2', 'ok'],
    ]);
    expect((await local.readStream(streamName)).map((record) => (JSON.parse(Buffer.from(record.data).toString('utf8')) as Doc).id)).to.deep.equal(['small-1', 'small-2']);
  });
});
