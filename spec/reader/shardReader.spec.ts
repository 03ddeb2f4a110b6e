/**
 * Unit tests of the reader's logic with stubbed Kinesis calls: backoff on throttling, giving up,
 * expired iterators, the pace of polling, which shards are read when, and teardown. What the
 * reader does against a real Kinesis is in fromKinesis.integration.spec.ts.
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { recordingLogger } from '../support/collect.js';
import { serviceError } from '../support/stubs.js';
import { encodeAggregate } from '../../lib/kinesis/kpl.js';
import type { KinesisReadRecord } from '../../lib/reader/readRecords.js';
import { readShard } from '../../lib/reader/shardReader.js';
import type { ShardApi, ShardPosition, ShardReadOptions } from '../../lib/reader/shardReader.js';

const record = (sequenceNumber: string, text: string): _Record => ({
  SequenceNumber: sequenceNumber,
  PartitionKey: `key-${sequenceNumber}`,
  Data: new TextEncoder().encode(text),
  ApproximateArrivalTimestamp: new Date(0),
});

type Page = Awaited<ReturnType<ShardApi['getRecords']>>;

/** A shard whose GetRecords answers (or failures) are scripted, one per call; then it ends. */
function scriptedShard(script: readonly (Page | Error)[]) {
  const iterators: ShardPosition[] = [];
  let calls = 0;
  const api: ShardApi = {
    listShards: async () => [],
    getShardIterator: async (_shardId, position) => {
      iterators.push(position);
      return `iterator-${iterators.length}`;
    },
    getRecords: async () => {
      const step = script[calls++] ?? { Records: [], NextShardIterator: undefined };
      if (step instanceof Error) throw step;
      return step;
    },
  };
  return { api, iterators, calls: () => calls };
}

/** Read options that record what is emitted and every wait asked for, without waiting. */
function options(overrides: Partial<ShardReadOptions> = {}) {
  const emitted: KinesisReadRecord[] = [];
  const waits: number[] = [];
  const logger = recordingLogger();
  const settings: ShardReadOptions = {
    retry: { maxAttempts: 10, minDelayMs: 100, maxDelayMs: 5000 },
    logger,
    signal: new AbortController().signal,
    limit: 3,
    pollIntervalMs: 1000,
    emit: (r) => emitted.push(r),
    sleep: async (ms) => void waits.push(ms),
    random: () => 1, // the longest wait the backoff allows
    ...overrides,
  };
  return { settings, emitted, waits, logger };
}

const open = (records: _Record[], extra: Partial<Page> = {}): Page => ({ Records: records, NextShardIterator: 'next', MillisBehindLatest: 0, ...extra });

describe('reading a shard (stubbed Kinesis)', () => {
  it('backs off exponentially with jitter on throttling, and starts again from the minimum after a success', async () => {
    const throttled = serviceError('ProvisionedThroughputExceededException');
    const shard = scriptedShard([throttled, throttled, throttled, open([record('1', 'a')]), throttled, open([record('2', 'b')])]);
    const { settings, emitted, waits } = options();
    await readShard(shard.api, 'shardId-1', { type: 'TRIM_HORIZON' }, settings);
    // random() = 1: each wait is the ceiling, min(5 s, 100 ms x 2^n); then the poll interval after a short page.
    expect(waits).to.deep.equal([200, 400, 800, 1000, 200, 1000]);
    expect(emitted.map((r) => r.sequenceNumber)).to.deep.equal(['1', '2']);
  });

  it('draws each wait between the minimum and the ceiling', async () => {
    const throttled = serviceError('ProvisionedThroughputExceededException');
    const shard = scriptedShard([throttled, throttled, throttled, throttled, throttled, throttled, throttled]);
    const { settings, waits } = options({ random: () => 0.5 });
    await readShard(shard.api, 'shardId-1', { type: 'TRIM_HORIZON' }, settings);
    expect(waits).to.deep.equal([150, 250, 450, 850, 1650, 2550, 2550]);
  });

  it('gives up after retry.maxAttempts attempts with the last error, and does not retry what cannot succeed', async () => {
    const throttled = serviceError('ProvisionedThroughputExceededException');
    const shard = scriptedShard([throttled, throttled, throttled, throttled]);
    const { settings } = options({ retry: { maxAttempts: 3, minDelayMs: 10, maxDelayMs: 10 } });
    const error = await readShard(shard.api, 'shardId-1', { type: 'LATEST' }, settings).then(() => undefined, (e: unknown) => e);
    expect(error).to.equal(throttled);
    expect(shard.calls()).to.equal(3);

    const denied = serviceError('AccessDeniedException');
    const other = scriptedShard([denied]);
    expect(await readShard(other.api, 'shardId-1', { type: 'LATEST' }, options().settings).then(() => undefined, (e: unknown) => e)).to.equal(denied);
    expect(other.calls()).to.equal(1);
  });

  it('replaces an expired iterator with one after the last record emitted (or at the start when none was)', async () => {
    const expired = serviceError('ExpiredIteratorException');
    const shard = scriptedShard([expired, open([record('7', 'a'), record('8', 'b')]), expired, open([record('9', 'c')])]);
    const { settings, emitted } = options();
    const since = new Date(1_000_000);
    await readShard(shard.api, 'shardId-1', { type: 'AT_TIMESTAMP', timestamp: since }, settings);
    expect(shard.iterators).to.deep.equal([
      { type: 'AT_TIMESTAMP', timestamp: since },
      { type: 'AT_TIMESTAMP', timestamp: since },
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '8' },
    ]);
    expect(emitted.map((r) => r.sequenceNumber)).to.deep.equal(['7', '8', '9']);
  });

  it('after an expiry before any record, resumes where the first iterator began (LATEST: AT_TIMESTAMP of the time just before it)', async () => {
    const expired = serviceError('ExpiredIteratorException');
    const since = new Date(500_000);
    const cases: [ShardPosition, ShardPosition][] = [
      [{ type: 'TRIM_HORIZON' }, { type: 'TRIM_HORIZON' }],
      [{ type: 'AT_TIMESTAMP', timestamp: since }, { type: 'AT_TIMESTAMP', timestamp: since }],
      [{ type: 'LATEST' }, { type: 'AT_TIMESTAMP', timestamp: new Date(1_000_000) }],
    ];
    for (const [start, resume] of cases) {
      // Two expiries before the first record, one after it.
      const shard = scriptedShard([expired, expired, open([record('7', 'a'), record('8', 'b')]), expired, open([record('9', 'c')])]);
      // The clock moves on with every GetShardIterator: the resume time is the one read before the first.
      let clock = 1_000_000;
      const api: ShardApi = {
        ...shard.api,
        getShardIterator: (...args) => {
          clock += 1000;
          return shard.api.getShardIterator(...args);
        },
      };
      const { settings, emitted } = options({ now: () => clock });
      await readShard(api, 'shardId-1', start, settings);
      expect(shard.iterators, start.type).to.deep.equal([start, resume, resume, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '8' }]);
      expect(emitted.map((r) => r.sequenceNumber)).to.deep.equal(['7', '8', '9']);
    }
  });

  it('polls again after 200 ms while behind (a full page, or MillisBehindLatest), after pollInterval once caught up', async () => {
    const full = [record('1', 'a'), record('2', 'b'), record('3', 'c')];
    const shard = scriptedShard([open(full), open([record('4', 'd')], { MillisBehindLatest: 5000 }), open([record('5', 'e')]), open([])]);
    const { settings, waits } = options({ limit: 3, pollIntervalMs: 1500 });
    await readShard(shard.api, 'shardId-1', { type: 'TRIM_HORIZON' }, settings);
    expect(waits).to.deep.equal([200, 200, 1500, 1500]);
  });

  it('emits plain records as they are and aggregates as their user records, in order, then ends with the shard', async () => {
    const aggregate = encodeAggregate([
      { partitionKey: 'u1', data: new TextEncoder().encode('x') },
      { partitionKey: 'u2', explicitHashKey: '42', data: new TextEncoder().encode('y') },
    ]);
    const shard = scriptedShard([open([record('1', 'plain'), { ...record('2', ''), Data: aggregate }]), { Records: [], NextShardIterator: undefined }]);
    const { settings, emitted } = options();
    await readShard(shard.api, 'shardId-9', { type: 'TRIM_HORIZON' }, settings);
    expect(emitted.map(({ partitionKey, explicitHashKey, sequenceNumber, subSequenceNumber, shardId }) => ({ partitionKey, explicitHashKey, sequenceNumber, subSequenceNumber, shardId }))).to.deep.equal([
      { partitionKey: 'key-1', explicitHashKey: undefined, sequenceNumber: '1', subSequenceNumber: undefined, shardId: 'shardId-9' },
      { partitionKey: 'u1', explicitHashKey: undefined, sequenceNumber: '2', subSequenceNumber: 0, shardId: 'shardId-9' },
      { partitionKey: 'u2', explicitHashKey: '42', sequenceNumber: '2', subSequenceNumber: 1, shardId: 'shardId-9' },
    ]);
    expect(shard.calls()).to.equal(2);
  });

  it('makes no request once aborted', async () => {
    const controller = new AbortController();
    const shard = scriptedShard([open([record('1', 'a')])]);
    const { settings } = options({ signal: controller.signal, emit: () => controller.abort() });
    const error = await readShard(shard.api, 'shardId-1', { type: 'TRIM_HORIZON' }, settings).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('name', 'AbortError');
    expect(shard.calls()).to.equal(1);
  });
});
