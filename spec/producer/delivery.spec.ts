/**
 * Unit tests of the delivery logic (retry only what failed, bound the attempts, one outcome per
 * item) with a scripted sender in place of the service.
 */
import { expect } from 'chai';
import { recordingLogger, silentLogger } from '../support/collect.js';
import { decodeAggregate } from '../../lib/kinesis/kpl.js';
import { ShardMap } from '../../lib/kinesis/shardMap.js';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import { deliverBatch } from '../../lib/producer/delivery.js';
import type { DeliveryOptions } from '../../lib/producer/delivery.js';
import { PRECEDING_RECORD_FAILED } from '../../lib/producer/errors.js';
import { KeyOrder } from '../../lib/producer/keyOrder.js';
import type { AfterFailure } from '../../lib/producer/keyOrder.js';
import type { AcceptedRecord, PreparedRecord } from '../../lib/producer/prepareRecord.js';
import type { SendPutRecords } from '../../lib/producer/sender.js';
import { ShardMapCache } from '../../lib/producer/shardMapCache.js';
import type { EntryOutcome } from '../../lib/producer/answer.js';

const accepted = (item: string): PreparedRecord<string> => ({
  accepted: true,
  item,
  partitionKey: `key-${item}`,
  explicitHashKey: undefined,
  data: Buffer.from(item),
  dataStart: 0,
  dataBytes: item.length,
  bytes: item.length + 4 + item.length,
  wireBytes: entryBytes(item.length, `key-${item}`, undefined),
});
const rejected = (item: string): PreparedRecord<string> => ({
  accepted: false,
  item,
  partitionKey: undefined,
  errorCode: 'SerializationError',
  errorMessage: 'nope',
  bytes: 0,
});

const ok = (n: number): EntryOutcome => ({ ok: true, shardId: 'shardId-000000000000', sequenceNumber: String(n) });
const throttled: EntryOutcome = { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down', retryable: true, possiblyWritten: false };
const missing: EntryOutcome = { ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'no stream', retryable: false, possiblyWritten: false };

/** A sender that answers with `decide(item, call)` per entry and keeps every request it got. */
function scriptedSender(decide: (item: string, call: number) => EntryOutcome): SendPutRecords & { calls: string[][] } {
  const calls: string[][] = [];
  const send = async (records: readonly AcceptedRecord<unknown>[]) => {
    const items = records.map((r) => Buffer.from(r.data).toString());
    calls.push(items);
    return items.map((item) => decide(item, calls.length));
  };
  return Object.assign(send, { calls });
}

function options(send: SendPutRecords, overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return { streamName: 's', send, retry: { maxAttempts: 5, minDelayMs: 1, maxDelayMs: 2 }, logger: silentLogger, ...overrides };
}

const signal = new AbortController().signal;

describe('deliverBatch', () => {
  it('resends only the records that failed with a retryable code', async () => {
    const send = scriptedSender((item, call) => (call === 1 && (item === 'b' || item === 'd') ? throttled : ok(call)));
    const result = await deliverBatch(['a', 'b', 'c', 'd'].map(accepted), options(send), signal);
    expect(send.calls).to.deep.equal([['a', 'b', 'c', 'd'], ['b', 'd']]);
    expect(result).to.include({ recordCount: 4, successfulRecordCount: 4, failedRecordCount: 0, attempts: 2 });
    expect(result.records.map((r) => [r.item, r.status, r.attempts])).to.deep.equal([
      ['a', 'ok', 1],
      ['b', 'ok', 2],
      ['c', 'ok', 1],
      ['d', 'ok', 2],
    ]);
  });

  it('marks a failed record possibly written when any of its attempts had an unknown outcome, and says so in the warning', async () => {
    const cut: EntryOutcome = { ok: false, errorCode: 'ECONNRESET', errorMessage: 'socket hang up', retryable: true, possiblyWritten: true };
    const send = scriptedSender((item, call) => (call === 1 && item === 'a' ? cut : throttled));
    const logger = recordingLogger();
    const result = await deliverBatch(['a', 'b'].map(accepted), options(send, { logger }), signal);
    expect(result.records.map((r) => [r.item, r.status, r.status === 'failed' && r.possiblyWritten])).to.deep.equal([
      ['a', 'failed', true],
      ['b', 'failed', false],
    ]);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.deep.equal([
      "2 of 2 records not written to stream 's': ProvisionedThroughputExceededException x2; 1 of them may have been written (an attempt's outcome was unknown)",
    ]);
  });

  it('marks a record delivered after an attempt with an unknown outcome as possibly duplicated, and only that one', async () => {
    const cut: EntryOutcome = { ok: false, errorCode: 'TimeoutError', errorMessage: 'no complete answer', retryable: true, possiblyWritten: true };
    const send = scriptedSender((item, call) => (call === 1 ? (item === 'a' ? cut : throttled) : ok(call)));
    const result = await deliverBatch(['a', 'b', 'c'].map(accepted), options(send), signal);
    expect(result.records.map((r) => [r.item, r.status, r.attempts, r.status === 'ok' && r.possiblyDuplicated === true])).to.deep.equal([
      ['a', 'ok', 2, true],
      ['b', 'ok', 2, false],
      ['c', 'ok', 2, false],
    ]);
    expect(result.records[1]).to.not.have.property('possiblyDuplicated');
  });

  it('reports a record refused before sending as never written', async () => {
    const result = await deliverBatch([rejected('x')], options(scriptedSender((_item, call) => ok(call))), signal);
    expect(result.records[0]).to.include({ status: 'failed', attempts: 0, possiblyWritten: false });
  });

  it('stops after maxAttempts and reports the last error code', async () => {
    const send = scriptedSender(() => throttled);
    const logger = recordingLogger();
    const result = await deliverBatch(['a', 'b'].map(accepted), options(send, { logger }), signal);
    expect(send.calls).to.have.length(5);
    expect(result).to.include({ failedRecordCount: 2, attempts: 5 });
    for (const record of result.records) expect(record).to.include({ status: 'failed', errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down', attempts: 5 });
    expect(logger.lines.filter((l) => l.level === 'debug')).to.have.length(4);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.deep.equal([
      "2 of 2 records not written to stream 's': ProvisionedThroughputExceededException x2",
    ]);
  });

  it('does not retry a non-retryable error', async () => {
    const send = scriptedSender(() => missing);
    const result = await deliverBatch(['a', 'b'].map(accepted), options(send), signal);
    expect(send.calls).to.have.length(1);
    expect(result.records.map((r) => r.status === 'failed' && r.errorCode)).to.deep.equal(['ResourceNotFoundException', 'ResourceNotFoundException']);
  });

  it('makes a single attempt when retries are off', async () => {
    const send = scriptedSender(() => throttled);
    const result = await deliverBatch(['a'].map(accepted), options(send, { retry: { maxAttempts: 1, minDelayMs: 0, maxDelayMs: 0 } }), signal);
    expect(send.calls).to.have.length(1);
    expect(result.failedRecordCount).to.equal(1);
  });

  it('reports rejected records in place, without sending them', async () => {
    const send = scriptedSender((_, call) => ok(call));
    const result = await deliverBatch([accepted('a'), rejected('b'), accepted('c'), rejected('d')], options(send), signal);
    expect(send.calls).to.deep.equal([['a', 'c']]);
    expect(result.records.map((r) => [r.item, r.status, r.attempts])).to.deep.equal([
      ['a', 'ok', 1],
      ['b', 'failed', 0],
      ['c', 'ok', 1],
      ['d', 'failed', 0],
    ]);
    expect(result.records[1]).to.not.have.property('partitionKey');
    expect(result.bytes).to.equal(6 + 6);
  });

  it('sends nothing for a batch of rejected records', async () => {
    const send = scriptedSender(() => ok(0));
    const result = await deliverBatch([rejected('a')], options(send), signal);
    expect(send.calls).to.deep.equal([]);
    expect(result).to.include({ attempts: 0, failedRecordCount: 1, bytes: 0 });
  });

  it('stops waiting to retry when aborted', async () => {
    const controller = new AbortController();
    const send = scriptedSender(() => {
      setTimeout(() => controller.abort(), 5);
      return throttled;
    });
    const delivery = deliverBatch(['a'].map(accepted), options(send, { retry: { maxAttempts: 5, minDelayMs: 1000, maxDelayMs: 1000 } }), controller.signal);
    const error = await delivery.then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('name', 'AbortError');
    expect(send.calls).to.have.length(1);
  });
});

describe('deliverBatch with aggregation', () => {
  const aggregation = (lists: { count: number }): DeliveryOptions['aggregation'] => ({
    maxBytes: 64,
    shardMaps: new ShardMapCache(async () => (lists.count++, [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(2n ** 128n - 1n) }, SequenceNumberRange: { StartingSequenceNumber: '0' } }]), silentLogger, 's'),
  });
  /** The user items in a request entry: an aggregate's, or the plain record's. */
  const itemsIn = (record: AcceptedRecord<unknown>): string[] => decodeAggregate(record.data)?.map((u) => Buffer.from(u.data).toString()) ?? [Buffer.from(record.data).toString()];

  it('resends a failed aggregate whole, and gives each user record its aggregate outcome with its index', async () => {
    const calls: string[][][] = [];
    const send: SendPutRecords = async (records) => {
      calls.push(records.map(itemsIn));
      return records.map((_, i) => (calls.length === 1 && i === 0 ? throttled : ok(calls.length * 10 + i)));
    };
    const lists = { count: 0 };
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const result = await deliverBatch(items.map(accepted), options(send, { aggregation: aggregation(lists) }), signal);
    expect(lists.count).to.equal(1);
    // 64-byte aggregates hold two or three of these records
    const first = calls[0]!;
    expect(first.flat()).to.deep.equal(items);
    expect(first.length).to.be.within(2, 3);
    expect(first.every((part) => part.length >= 2)).to.equal(true);
    expect(calls[1]).to.deep.equal([first[0]]);
    expect(result).to.include({ recordCount: 6, successfulRecordCount: 6, attempts: 2, kinesisRecordCount: first.length });
    for (const [index, part] of first.entries()) {
      for (const [sub, item] of part.entries()) {
        const outcome = result.records[items.indexOf(item)]!;
        expect(outcome).to.deep.include(index === 0 ? { status: 'ok', sequenceNumber: '20', subSequenceNumber: sub, attempts: 2 } : { status: 'ok', sequenceNumber: String(10 + index), subSequenceNumber: sub, attempts: 1 });
      }
    }
  });

  it('fails every user record of an aggregate with its error code', async () => {
    const send: SendPutRecords = async (records) => records.map(() => missing);
    const result = await deliverBatch(['a', 'b', 'c'].map(accepted), options(send, { aggregation: aggregation({ count: 0 }) }), signal);
    expect(result.records.map((r) => [r.status, r.status === 'failed' && r.errorCode, r.attempts])).to.deep.equal([
      ['failed', 'ResourceNotFoundException', 1],
      ['failed', 'ResourceNotFoundException', 1],
      ['failed', 'ResourceNotFoundException', 1],
    ]);
  });

  const top = 2n ** 128n - 1n;
  const range = (id: string, start: bigint, end: bigint, closed = false) => ({
    ShardId: id,
    HashKeyRange: { StartingHashKey: String(start), EndingHashKey: String(end) },
    SequenceNumberRange: closed ? { StartingSequenceNumber: '0', EndingSequenceNumber: '9' } : { StartingSequenceNumber: '0' },
  });
  const before = [range('parent', 0n, top)];
  const after = [range('parent', 0n, top, true), range('low', 0n, top / 2n), range('high', top / 2n + 1n, top)];

  it('keeps the records where they landed when the new listing does not know that shard (it lags the reshard), and resends none', async () => {
    const lists = { count: 0 };
    const shardMaps = new ShardMapCache(async () => (lists.count++, before), silentLogger, 's');
    const truth = ShardMap.fromShards(after)!;
    const sent: number[] = [];
    const send: SendPutRecords = async (records) => {
      sent.push(records.length);
      return records.map((record, i) => ({ ok: true, shardId: truth.predict(record.partitionKey, record.explicitHashKey), sequenceNumber: `${sent.length}-${i}` }));
    };
    const items = Array.from({ length: 40 }, (_, i) => `r${i}`);
    const result = await deliverBatch(items.map(accepted), options(send, { aggregation: { maxBytes: 100_000, shardMaps } }), signal);
    expect(sent).to.deep.equal([1]);
    expect(lists.count).to.equal(2);
    expect(result.records.every((r) => r.status === 'ok' && r.attempts === 1)).to.equal(true);
  });

  it('after a reshard, lists the shards again and resends the records of a misplaced aggregate whose keys map to another shard', async () => {
    const lists = { count: 0 };
    const shardMaps = new ShardMapCache(async () => (lists.count++ === 0 ? before : after), silentLogger, 's');
    const truth = ShardMap.fromShards(after)!;
    // the service places each Kinesis record by its own key, with the shards as they are after the split
    const sent: number[] = [];
    const send: SendPutRecords = async (records) => {
      sent.push(records.length);
      return records.map((record, i) => ({ ok: true, shardId: truth.predict(record.partitionKey, record.explicitHashKey), sequenceNumber: `${sent.length}-${i}` }));
    };
    const logger = recordingLogger();
    const items = Array.from({ length: 40 }, (_, i) => `r${i}`);
    const result = await deliverBatch(items.map(accepted), options(send, { logger, aggregation: { maxBytes: 100_000, shardMaps } }), signal);
    expect(lists.count).to.equal(2);
    expect(sent).to.deep.equal([1, 1]); // one aggregate; then the records of the other half, packed again
    for (const outcome of result.records) {
      expect(outcome.status).to.equal('ok');
      if (outcome.status === 'ok') expect(outcome.shardId, outcome.item).to.equal(truth.predict(outcome.partitionKey));
    }
    const resent = result.records.filter((r) => r.attempts === 2).length;
    expect(resent).to.be.within(1, 39);
    expect(result.kinesisRecordCount).to.equal(2);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.deep.equal([`stream 's' was resharded: ${resent} records whose aggregate landed on a shard their keys do not map to are sent again`]);
  });
});

describe('deliverBatch with per-key ordering', () => {
  /** A record `item` with partition key `key`. */
  const keyed = (item: string, key: string): AcceptedRecord<string> => ({ ...(accepted(item) as AcceptedRecord<string>), partitionKey: key });
  const denied: EntryOutcome = { ok: false, errorCode: 'KMSAccessDeniedException', errorMessage: 'denied', retryable: false, possiblyWritten: false };

  /** Two batches delivered at once, every record entered in order: `[a1, b1]` and `[a2, a3]`. */
  async function twoBatches(afterFailure: AfterFailure, decide: (item: string, call: number) => EntryOutcome, overrides: Partial<DeliveryOptions> = {}) {
    const first = [keyed('a1', 'a'), keyed('b1', 'b')];
    const second = [keyed('a2', 'a'), keyed('a3', 'a')];
    const keyOrder = new KeyOrder(afterFailure);
    for (const record of [...first, ...second]) keyOrder.enter(record, record.partitionKey);
    const send = scriptedSender(decide);
    const results = await Promise.all([first, second].map((batch) => deliverBatch(batch, options(send, { keyOrder, ...overrides }), signal)));
    return { send, results: results.flatMap((result) => result.records) };
  }

  it("sends a key's records one at a time, each once the one before is written; other keys go at once", async () => {
    const { send, results } = await twoBatches('send', (item, call) => (item === 'a1' && call === 1 ? throttled : ok(call)));
    expect(send.calls).to.deep.equal([['a1', 'b1'], ['a1'], ['a2'], ['a3']]);
    expect(results.map((result) => [result.item, result.status, result.attempts])).to.deep.equal([
      ['a1', 'ok', 2],
      ['b1', 'ok', 1],
      ['a2', 'ok', 1],
      ['a3', 'ok', 1],
    ]);
  });

  it("afterFailure 'send': after a record fails for good, its key's next records go, in order", async () => {
    const { send, results } = await twoBatches('send', (item) => (item === 'a1' ? denied : ok(1)));
    expect(send.calls).to.deep.equal([['a1', 'b1'], ['a2'], ['a3']]);
    expect(results.map((result) => result.status)).to.deep.equal(['failed', 'ok', 'ok', 'ok']);
  });

  it("afterFailure 'fail': the records of its key waiting behind it fail with PrecedingRecordFailed, never sent", async () => {
    const { send, results } = await twoBatches('fail', (item) => (item === 'a1' ? denied : ok(1)));
    expect(send.calls).to.deep.equal([['a1', 'b1']]);
    expect(results.map((result) => [result.item, result.status === 'failed' ? result.errorCode : 'ok', result.attempts])).to.deep.equal([
      ['a1', 'KMSAccessDeniedException', 1],
      ['b1', 'ok', 1],
      ['a2', PRECEDING_RECORD_FAILED, 0],
      ['a3', PRECEDING_RECORD_FAILED, 0],
    ]);
  });

  it("with aggregation, a key's waiting records ride together in one aggregate", async () => {
    const shards = [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(2n ** 128n - 1n) }, SequenceNumberRange: { StartingSequenceNumber: '0' } }];
    const sent: string[][] = [];
    const send: SendPutRecords = async (records) => {
      sent.push(records.map((record) => (decodeAggregate(record.data) ?? [record]).map((user) => Buffer.from(user.data).toString()).join('+')));
      return records.map((_, index) => ok(index));
    };
    const keyOrder = new KeyOrder('send');
    const batch = ['a1', 'a2', 'a3', 'b1'].map((item) => keyed(item, item[0]!));
    for (const record of batch) keyOrder.enter(record, record.partitionKey);
    const result = await deliverBatch(batch, options(send, { keyOrder, aggregation: { maxBytes: 1024, shardMaps: new ShardMapCache(async () => shards, silentLogger, 's') } }), signal);
    expect(sent).to.deep.equal([['a1+a2+a3+b1']]);
    expect(result.records.map((record) => record.status === 'ok' && record.subSequenceNumber)).to.deep.equal([0, 1, 2, 3]);
  });
});
