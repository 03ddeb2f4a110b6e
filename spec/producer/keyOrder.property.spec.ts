/**
 * Property tests of per-key ordering at the delivery level (fast-check, no network): batches of
 * records over a few keys are delivered concurrently, sharing one `KeyOrder`, through a scripted
 * sender that keeps a log of what was written. Over any interleaving of per-record failures,
 * request failures (written or not), concurrency and aggregation: per key, the first occurrences
 * in the log follow the entry order, and every item gets exactly one outcome.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { silentLogger } from '../support/collect.js';
import { mulberry32 } from '../support/faultProxy.js';
import type { KinesisBatchResult, KinesisRecordResult } from '../../lib/index.js';
import { decodeAggregate } from '../../lib/kinesis/kpl.js';
import { ShardMap } from '../../lib/kinesis/shardMap.js';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import type { EntryOutcome } from '../../lib/producer/answer.js';
import { deliverBatch } from '../../lib/producer/delivery.js';
import type { DeliveryOptions } from '../../lib/producer/delivery.js';
import { PRECEDING_RECORD_FAILED } from '../../lib/producer/errors.js';
import { KeyOrder } from '../../lib/producer/keyOrder.js';
import type { AfterFailure } from '../../lib/producer/keyOrder.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';
import type { SendPutRecords } from '../../lib/producer/sender.js';
import { ShardMapCache } from '../../lib/producer/shardMapCache.js';

interface Item {
  readonly id: number;
}

/** What one request meets. */
interface CallScript {
  /** `'lost'`: a 500 after nothing was written; `'written'`: a 500 (or a cut connection) after every entry was written; `'fatal'`: refused whole. */
  readonly request: 'none' | 'lost' | 'written' | 'fatal';
  /** Chance that an entry is throttled. */
  readonly throttled: number;
  /** Chance that an entry fails for good. */
  readonly fatal: number;
}

const callScript: fc.Arbitrary<CallScript> = fc.record({
  request: fc.oneof(
    { weight: 10, arbitrary: fc.constant('none' as const) },
    { weight: 2, arbitrary: fc.constant('lost' as const) },
    { weight: 2, arbitrary: fc.constant('written' as const) },
    { weight: 1, arbitrary: fc.constant('fatal' as const) },
  ),
  throttled: fc.double({ min: 0, max: 0.8, noNaN: true }),
  fatal: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 0.1, noNaN: true }) }),
});

const scenario = fc.record({
  /** The key of each record, in entry order. */
  keys: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 160, size: 'large' }),
  /** Records per batch (the last batch takes what is left). */
  batchSize: fc.integer({ min: 1, max: 40 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  aggregation: fc.boolean(),
  afterFailure: fc.constantFrom<AfterFailure>('send', 'fail'),
  maxAttempts: fc.integer({ min: 1, max: 6 }),
  calls: fc.array(callScript, { maxLength: 40, size: 'large' }),
  seed: fc.integer(),
});

/** A cheap assertion (chai's are slow over thousands of records per run). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

const top = 2n ** 128n - 1n;
const SHARDS = [0, 1].map((i) => ({
  ShardId: `shardId-${i}`,
  HashKeyRange: { StartingHashKey: i === 0 ? '0' : String(top / 2n + 1n), EndingHashKey: i === 0 ? String(top / 2n) : String(top) },
  SequenceNumberRange: { StartingSequenceNumber: '0' },
}));
const truth = ShardMap.fromShards(SHARDS)!;

/** The user record ids a Kinesis record carries. */
function idsIn(data: Uint8Array): number[] {
  const users = decodeAggregate(data);
  return (users === undefined ? [data] : users.map((user) => user.data)).map((bytes) => Number(Buffer.from(bytes).toString()));
}

describe('per-key ordering properties (fast-check)', function () {
  this.timeout(60_000);

  /** Delivers a scenario's batches, with or without per-key ordering, and checks the log. */
  const property = (ordered: boolean) =>
      fc.asyncProperty(scenario, async (run) => {
        const random = mulberry32(run.seed);
        const records: AcceptedRecord<Item>[] = run.keys.map((key, id) => {
          const data = Buffer.from(String(id));
          const partitionKey = `key-${key}`;
          return { accepted: true, item: { id }, partitionKey, explicitHashKey: undefined, data, dataStart: 0, dataBytes: data.length, bytes: data.length + partitionKey.length, wireBytes: entryBytes(data.length, partitionKey, undefined) };
        });
        const order = new KeyOrder(run.afterFailure);
        for (const record of records) order.enter(record, record.partitionKey);

        /** Every user record id written, in the order written. */
        const log: number[] = [];
        /** How many times each user record was sent (alone or in an aggregate). */
        const sendsOf = new Map<number, number>();
        let calls = 0;
        let sequence = 0;
        const send: SendPutRecords = async (sent) => {
          const script = run.calls[calls++] ?? { request: 'none', throttled: 0, fatal: 0 };
          for (let ticks = Math.floor(random() * 3); ticks > 0; ticks--) await new Promise((resolve) => setImmediate(resolve));
          for (const record of sent) for (const id of idsIn(record.data)) sendsOf.set(id, (sendsOf.get(id) ?? 0) + 1);
          const write = (record: AcceptedRecord<unknown>): void => void log.push(...idsIn(record.data));
          if (script.request === 'fatal') return sent.map(() => ({ ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'no stream', retryable: false, possiblyWritten: false }));
          if (script.request !== 'none') {
            if (script.request === 'written') sent.forEach(write);
            return sent.map(() => ({ ok: false, errorCode: 'InternalFailure', errorMessage: '500', retryable: true, possiblyWritten: true }));
          }
          return sent.map((record): EntryOutcome => {
            const draw = random();
            if (draw < script.fatal) return { ok: false, errorCode: 'KMSAccessDeniedException', errorMessage: 'denied', retryable: false, possiblyWritten: false };
            if (draw < script.fatal + script.throttled) return { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down', retryable: true, possiblyWritten: false };
            write(record);
            return { ok: true, shardId: truth.predict(record.partitionKey), sequenceNumber: String(sequence++) };
          });
        };
        const options: DeliveryOptions = {
          streamName: 's',
          send,
          retry: { maxAttempts: run.maxAttempts, minDelayMs: 0, maxDelayMs: 1 },
          logger: silentLogger,
          keyOrder: ordered ? order : undefined,
          aggregation: run.aggregation ? { maxBytes: 64, shardMaps: new ShardMapCache(async () => SHARDS, silentLogger, 's') } : undefined,
        };

        // The batches, delivered with at most `concurrency` at once, each started in order.
        const batches: AcceptedRecord<Item>[][] = [];
        for (let start = 0; start < records.length; start += run.batchSize) batches.push(records.slice(start, start + run.batchSize));
        const results: KinesisBatchResult<Item>[] = [];
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < batches.length) {
            const batch = batches[next++]!;
            results.push(await deliverBatch(batch, options, new AbortController().signal));
          }
        };
        await Promise.all(Array.from({ length: run.concurrency }, worker));

        // One outcome per item.
        const outcomes = new Map<number, KinesisRecordResult<Item>>();
        for (const result of results) for (const outcome of result.records) {
          check(!outcomes.has(outcome.item.id), () => `item ${outcome.item.id} has two outcomes`);
          outcomes.set(outcome.item.id, outcome);
        }
        check(outcomes.size === records.length, () => `${outcomes.size} outcomes for ${records.length} items`);
        check(!ordered || order.size === 0, () => `${order.size} records left in the key queues`);

        // Per key, the first occurrences in the log follow the entry order.
        const firstWrite = new Map<number, number>();
        log.forEach((id, at) => firstWrite.has(id) || firstWrite.set(id, at));
        const lastByKey = new Map<string, { id: number; at: number }>();
        for (const record of records) {
          const at = firstWrite.get(record.item.id);
          const outcome = outcomes.get(record.item.id)!;
          if (outcome.status === 'ok') check(at !== undefined, () => `item ${record.item.id} reported written but not in the log`);
          const sends = sendsOf.get(record.item.id) ?? 0;
          check(outcome.attempts === sends && sends <= run.maxAttempts, () => `item ${record.item.id}: attempts ${outcome.attempts}, sent ${sends} times (maxAttempts ${run.maxAttempts})`);
          if (outcome.status === 'failed' && outcome.errorCode === PRECEDING_RECORD_FAILED) {
            check(run.afterFailure === 'fail', () => `PrecedingRecordFailed with afterFailure 'send'`);
            check(at === undefined, () => `item ${record.item.id} failed as PrecedingRecordFailed but was written`);
          }
          if (at === undefined) continue;
          const last = lastByKey.get(record.partitionKey);
          check(last === undefined || last.at < at, () => `${record.partitionKey}: item ${record.item.id} first written at ${at}, before item ${last!.id} (entered earlier) at ${last!.at}; log ${log.join(',')}`);
          lastByKey.set(record.partitionKey, { id: record.item.id, at });
        }
      });

  it('any failures, concurrency and aggregation: per key, first writes follow the entry order; one outcome per item', async () => {
    await fc.assert(property(true), { numRuns: 500, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true });
  });

  it('the same property finds records out of their key order when ordering is off (it has teeth)', async () => {
    const details = await fc.check(property(false), { numRuns: 500, endOnFailure: true });
    expect(details.failed, 'no counterexample found without ordering').to.equal(true);
    expect(String(details.errorInstance)).to.match(/first written at/);
  });
});
