import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { KinesisConfigError } from '../lib/index.js';
import { fromKinesis } from '../lib/reader/fromKinesis.js';
import { FROM_KINESIS_DEFAULTS, validateFromKinesisConfig } from '../lib/reader/config.js';
import type { FromKinesisConfig } from '../lib/reader/config.js';
import { configProblems } from './support/configProblems.js';
import { resolveReadSettings } from '../lib/reader/settings.js';

const problemsOf = (config: unknown) => configProblems(validateFromKinesisConfig, config);

describe('fromKinesis config validation', () => {
  it('accepts a stream name or an ARN alone, and every starting position', () => {
    expect(() => validateFromKinesisConfig({ streamName: 'events' })).not.to.throw();
    expect(() => validateFromKinesisConfig({ streamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/events' })).not.to.throw();
    for (const startingPosition of ['TRIM_HORIZON', 'LATEST', new Date()]) {
      expect(() => validateFromKinesisConfig({ streamName: 'events', startingPosition })).not.to.throw();
    }
  });

  it('throws synchronously from fromKinesis, before anything is subscribed, with every problem', () => {
    expect(() => fromKinesis({})).to.throw(KinesisConfigError, 'invalid fromKinesis config: streamName: required (or give streamARN)');
    expect(configProblems((input) => fromKinesis(input as FromKinesisConfig), { streamName: 's', pollInterval: '100ms', limit: 20_000 })).to.have.members([
      "pollInterval: '100ms' is not a duration of at least 200 ms (the service allows 5 GetRecords per second per shard)",
      'limit: 20000 is not a whole number from 1 to 10000',
    ]);
  });

  it('checks every field with its path, and names unknown fields', () => {
    expect(
      problemsOf({
        streamName: 's',
        startingPosition: 'EARLIEST',
        shardSyncInterval: 0,
        limit: 0,
        endpoint: 'localhost:4566',
        retry: { maxAttempts: 0, delay: '1s' },
        logger: { debug: 'yes' },
        checkpoint: true,
      }),
    ).to.have.members([
      'checkpoint: unknown field (known: streamName, streamARN, region, endpoint, credentials, client, requestTimeout, logger, startingPosition, pollInterval, limit, shardSyncInterval, retry)',
      'retry.delay: unknown field (known: maxAttempts, minDelay, maxDelay)',
      "startingPosition: 'EARLIEST' is not 'TRIM_HORIZON', 'LATEST' or a valid Date",
      'shardSyncInterval: 0 is not a positive duration',
      'limit: 0 is not a whole number from 1 to 10000',
      "endpoint: 'localhost:4566' is not an http(s) URL such as 'http://localhost:4566'",
      'retry.maxAttempts: 0 is not a positive integer',
      "logger.debug: 'yes' is not a function",
    ]);
    expect(problemsOf({ streamName: 's', startingPosition: new Date('not a date') })).to.deep.equal([
      "startingPosition: an object is not 'TRIM_HORIZON', 'LATEST' or a valid Date",
    ]);
  });

  it('applies the connection rules of toKinesis, and refuses a retry minimum over its maximum', () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    try {
      expect(problemsOf({ streamName: 's', client, endpoint: 'http://localhost:4566' })).to.deep.equal([
        'client: cannot be combined with endpoint; configure them on your KinesisClient',
      ]);
    } finally {
      client.destroy();
    }
    expect(problemsOf({ streamName: 'a', streamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/b' })).to.deep.equal([
      "streamARN: names another stream than streamName 'a'",
    ]);
    expect(problemsOf({ streamName: 's', retry: { minDelay: '10s' } })).to.deep.equal(['retry.minDelay: 10000 ms is longer than retry.maxDelay (5000 ms)']);
  });

  it('never echoes credential values', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const problems = problemsOf({ streamName: 's', credentials: { accessKeyId: secret, secretAccessKey: 7 } });
    expect(problems.join('\n')).not.to.include(secret);
    expect(problems.every((p) => p.startsWith('credentials'))).to.equal(true);
  });
});

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

  it('leaves a caller-owned client open, and closes the one it builds', () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    try {
      const lease = resolveReadSettings({ streamName: 's', client }).leaseClient();
      expect(lease.client).to.equal(client);
      lease.release();
      expect(client.config.requestHandler).to.exist;
    } finally {
      client.destroy();
    }
    const built = resolveReadSettings({ streamName: 's', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }).leaseClient();
    let destroyed = false;
    const destroy = built.client.destroy.bind(built.client);
    built.client.destroy = () => {
      destroyed = true;
      destroy();
    };
    built.release();
    expect(destroyed).to.equal(true);
  });
});
