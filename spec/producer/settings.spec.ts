/**
 * Settings: a validated configuration with its defaults filled in and its caps applied.
 */
import { inspect } from 'node:util';
import { expect } from 'chai';
import { recordingLogger } from '../support/collect.js';
import { KinesisConfigError } from '../../lib/index.js';
import { validateToKinesisConfig } from '../../lib/producer/config.js';
import { DEFAULT_AGGREGATE_MAX_BYTES, MAX_AGGREGATED_BATCH_SIZE } from '../../lib/producer/defaults.js';
import { prepareRecord } from '../../lib/producer/prepareRecord.js';
import { resolveSettings } from '../../lib/producer/settings.js';

describe('the aggregation setting', () => {
  const problemsOf = (config: unknown): string[] => {
    try {
      validateToKinesisConfig(config);
      return [];
    } catch (error) {
      return (error as KinesisConfigError).problems.slice();
    }
  };

  it('refuses a partition key with a lone surrogate when aggregating (KPL aggregates store keys as UTF-8), and sends it plain otherwise', () => {
    const lone = 'user-\ud800';
    const key = () => lone;
    const aggregated = resolveSettings({ streamName: 's', aggregation: true, partitionKey: key, logger: recordingLogger() }).records;
    const prepared = prepareRecord('x', aggregated);
    expect(prepared).to.include({ accepted: false, errorCode: 'InvalidPartitionKey' });
    expect(prepared.accepted ? '' : prepared.errorMessage).to.include('lone UTF-16 surrogate');
    expect(prepareRecord('x', resolveSettings({ streamName: 's', partitionKey: key }).records)).to.include({ accepted: true, partitionKey: lone });
    expect(prepareRecord('x', resolveSettings({ streamName: 's', aggregation: true, partitionKey: () => 'pair-\ud83d\ude00' }).records)).to.include({ accepted: true });
  });

  it('accepts true, false and { maxBytes } and refuses anything else by its path', () => {
    expect(problemsOf({ streamName: 's', aggregation: true })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', aggregation: false })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', aggregation: { maxBytes: 64 * 1024 } })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', aggregation: 'yes' })).to.deep.equal(["aggregation: 'yes' is not true, false or { maxBytes? }"]);
    expect(problemsOf({ streamName: 's', aggregation: { maxBytes: 10 } })).to.deep.equal(['aggregation.maxBytes: 10 is not a whole number of bytes from 1024 to 10485760 (10 MiB)']);
    expect(problemsOf({ streamName: 's', aggregation: { size: 10 } })[0]).to.match(/^aggregation\.size: unknown field \(known: maxBytes\)/);
    expect(problemsOf({ streamName: 's', aggregation: { maxBytes: 2 * 1024 * 1024 } })).to.deep.equal(['aggregation.maxBytes: 2097152 is over maxRecordBytes (1048576)']);
    expect(problemsOf({ streamName: 's', maxRecordBytes: 4 * 1024 * 1024, aggregation: { maxBytes: 2 * 1024 * 1024 } })).to.deep.equal([]);
    expect(problemsOf({ streamName: 's', maxRecordBytes: 'stream', aggregation: { maxBytes: 2 * 1024 * 1024 } })).to.deep.equal([
      "aggregation.maxBytes: 2097152 is over 1048576, the smallest record limit a stream has (maxRecordBytes: 'stream')",
    ]);
  });

  it('defaults maxBytes to just under 1 MiB (or maxRecordBytes), and lifts the batch.size cap to 50,000', () => {
    expect(resolveSettings({ streamName: 's', aggregation: true, logger: recordingLogger() }).aggregation).to.deep.equal({ maxBytes: DEFAULT_AGGREGATE_MAX_BYTES });
    expect(resolveSettings({ streamName: 's', aggregation: {}, maxRecordBytes: 4096, logger: recordingLogger() }).aggregation).to.deep.equal({ maxBytes: 4096 });
    expect(resolveSettings({ streamName: 's', logger: recordingLogger() }).aggregation).to.equal(undefined);
    expect(resolveSettings({ streamName: 's', aggregation: true, batch: { size: 20_000 }, logger: recordingLogger() }).batch.maxCount).to.equal(20_000);
    const logger = recordingLogger();
    expect(resolveSettings({ streamName: 's', aggregation: true, batch: { size: 80_000 }, logger }).batch.maxCount).to.equal(MAX_AGGREGATED_BATCH_SIZE);
    expect(logger.lines).to.have.length(1);
    expect(resolveSettings({ streamName: 's', batch: { size: 20_000 }, logger: recordingLogger() }).batch.maxCount).to.equal(500);
  });
});

describe('settings', () => {
  it("with maxRecordBytes: 'stream', prepares records up to the 10 MiB ceiling (the stream's limit is checked once known), aggregates within 1 MiB", () => {
    const settings = resolveSettings({ streamName: 's', maxRecordBytes: 'stream', aggregation: true });
    expect(settings.records.maxRecordBytes).to.equal(10 * 1024 * 1024);
    expect(settings.followStreamRecordLimit).to.equal(true);
    expect(settings.aggregation).to.deep.equal({ maxBytes: DEFAULT_AGGREGATE_MAX_BYTES });
  });

  it('fills in the documented defaults', () => {
    const settings = resolveSettings({ streamName: 's' });
    expect(settings.batch).to.include({ maxCount: 500, maxWeight: 5 * 1024 * 1024, durationMs: 5000 });
    expect(settings.records.maxRecordBytes).to.equal(1024 * 1024);
    expect(settings.followStreamRecordLimit).to.equal(false);
    expect(settings.concurrency).to.equal(1);
    expect(settings.retry).to.deep.equal({ maxAttempts: 10, minDelayMs: 100, maxDelayMs: 5000 });
    expect(settings.target).to.deep.equal({ StreamName: 's' });
  });

  it('caps batch.size at 500 and batch.maxBytes at 10 MiB (the service request limit since 2025), with a warning', () => {
    const logger = recordingLogger();
    const settings = resolveSettings({ streamName: 's', batch: { size: 1000, maxBytes: 11 * 1024 * 1024 }, logger });
    expect(settings.batch).to.include({ maxCount: 500, maxWeight: 10 * 1024 * 1024 });
    expect(logger.lines).to.deep.equal([
      { level: 'warn', message: 'batch.size 1000 is over the service limit; using 500' },
      { level: 'warn', message: 'batch.maxBytes 11534336 is over the service limit; using 10485760' },
    ]);
  });

  it('sizes requests by the batch: 5 MiB and a 7 MiB body by default, 10 MiB and a larger body only when batch.maxBytes asks', () => {
    expect(resolveSettings({ streamName: 's' }).requests).to.deep.equal({ maxRecords: 500, maxBytes: 5 * 1024 * 1024, maxWireBytes: 7 * 1024 * 1024 - 4096 });
    expect(resolveSettings({ streamName: 's', batch: { size: 50, maxBytes: 10 * 1024 * 1024 } }).requests).to.deep.equal({
      maxRecords: 50,
      maxBytes: 10 * 1024 * 1024,
      maxWireBytes: 14 * 1024 * 1024 - 4096,
    });
  });

  it('turns the shard limiter on by default, with the service limits as the ceiling; false turns it off', () => {
    expect(resolveSettings({ streamName: 's' }).shardLimit).to.include({ recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024, snapshotIntervalMs: 1000 });
    expect(resolveSettings({ streamName: 's', shardLimit: { recordsPerSecond: 500, snapshotInterval: '2s' } }).shardLimit).to.include({ recordsPerSecond: 500, snapshotIntervalMs: 2000 });
    expect(resolveSettings({ streamName: 's', shardLimit: false }).shardLimit).to.equal(undefined);
  });

  it("orders by key only when asked; afterFailure 'send' by default", () => {
    expect(resolveSettings({ streamName: 's' }).keyOrdering).to.equal(undefined);
    expect(resolveSettings({ streamName: 's', ordering: 'none' }).keyOrdering).to.equal(undefined);
    expect(resolveSettings({ streamName: 's', ordering: 'key' }).keyOrdering).to.deep.equal({ afterFailure: 'send' });
    expect(resolveSettings({ streamName: 's', ordering: { by: 'key', afterFailure: 'fail' } }).keyOrdering).to.deep.equal({ afterFailure: 'fail' });
  });

  it('takes the stream name from the ARN, and sends the ARN', () => {
    const settings = resolveSettings({ streamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders' });
    expect(settings.streamName).to.equal('orders');
    expect(settings.target).to.deep.equal({ StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders' });
  });

  it("names the stream by both name and ARN when both are given, and takes the ARN's region", async () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
    const settings = resolveSettings({ streamName: 'orders', streamARN: arn, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(settings.target).to.deep.equal({ StreamName: 'orders', StreamARN: arn });
    const lease = settings.leaseClient();
    try {
      expect(await lease.client.config.region()).to.equal('eu-west-1');
    } finally {
      lease.release();
    }
  });

  it('turns retry: false into a single attempt, and durations into milliseconds', () => {
    expect(resolveSettings({ streamName: 's', retry: false }).retry.maxAttempts).to.equal(1);
    expect(resolveSettings({ streamName: 's', retry: { minDelay: '1m', maxDelay: '1h' }, batch: { duration: 250 } })).to.deep.include({
      retry: { maxAttempts: 10, minDelayMs: 60_000, maxDelayMs: 3_600_000 },
    });
  });

  it('builds a client whose inspection shows no secret', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const lease = resolveSettings({ streamName: 's', region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret } }).leaseClient();
    try {
      expect(inspect(lease.client, { depth: 10 })).not.to.include(secret);
      expect(inspect(resolveSettings({ streamName: 's', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret } }), { depth: 10 })).not.to.include(secret);
    } finally {
      lease.release();
    }
  });
});
