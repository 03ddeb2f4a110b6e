/**
 * The reader's settings: defaults filled in, durations in milliseconds.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { FROM_KINESIS_DEFAULTS } from '../../lib/reader/config.js';
import { resolveReadSettings } from '../../lib/reader/settings.js';

describe('fromKinesis settings', () => {
  it('fills in the documented defaults', () => {
    const settings = resolveReadSettings({ streamName: 's' });
    expect(settings).to.deep.include({
      target: { StreamName: 's' },
      startingPosition: 'TRIM_HORIZON',
      pollIntervalMs: 1000,
      limit: 10_000,
      shardSyncIntervalMs: 10_000,
      retry: { maxAttempts: 10, minDelayMs: 100, maxDelayMs: 5000 },
    });
    expect(FROM_KINESIS_DEFAULTS).to.deep.include({ startingPosition: 'TRIM_HORIZON', pollInterval: '1s', limit: 10_000, requestTimeout: '30s' });
  });

  it('reads by ARN when given one, and takes durations in any unit', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/events';
    const since = new Date(0);
    const settings = resolveReadSettings({ streamARN: arn, startingPosition: since, pollInterval: '2.5s', shardSyncInterval: '1m', retry: { maxAttempts: 3 } });
    expect(settings).to.deep.include({
      target: { StreamARN: arn },
      startingPosition: since,
      pollIntervalMs: 2500,
      shardSyncIntervalMs: 60_000,
      retry: { maxAttempts: 3, minDelayMs: 100, maxDelayMs: 5000 },
    });
  });

  it('leaves a caller-owned client open, and shares the one it builds between subscriptions', () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    try {
      const lease = resolveReadSettings({ streamName: 's', client }).leaseClient();
      expect(lease.client).to.equal(client);
      lease.release();
      expect(client.config.requestHandler).to.exist;
    } finally {
      client.destroy();
    }
    const settings = resolveReadSettings({ streamName: 's', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const first = settings.leaseClient();
    const second = settings.leaseClient();
    expect(second.client).to.equal(first.client);
    first.release();
    second.release();
  });

});
