import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { configProblems } from '../support/configProblems.js';
import { KinesisConfigError } from '../../lib/index.js';
import { validateFromKinesisConfig } from '../../lib/reader/config.js';
import type { FromKinesisConfig } from '../../lib/reader/config.js';
import { fromKinesis } from '../../lib/reader/fromKinesis.js';

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
    // @ts-expect-error: the type requires streamName or streamARN, as the check does
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

  it('refuses an unknown field in the credentials block, and a logger with none of its methods', () => {
    expect(problemsOf({ streamName: 's', credentials: { accessKeyId: 'a', secretAccessKey: 'b', sesionToken: 'c' }, logger: { warning: () => undefined } })).to.deep.equal([
      'credentials.sesionToken: unknown field (known: accessKeyId, secretAccessKey, sessionToken, expiration, credentialScope, accountId, $source)',
      'logger: has none of debug, info, warn, error (a console-shaped logger such as console)',
    ]);
    expect(() => validateFromKinesisConfig({ streamName: 's', logger: console })).not.to.throw();
  });

  it('refuses a config that is not an object, saying only what type it is', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(() => fromKinesis(secret as never)).to.throw(KinesisConfigError, 'invalid fromKinesis config: config: expected an object, got a string');
  });

  it('never echoes credential values', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const problems = problemsOf({ streamName: 's', credentials: { accessKeyId: secret, secretAccessKey: 7 } });
    expect(problems.join('\n')).not.to.include(secret);
    expect(problems.every((p) => p.startsWith('credentials'))).to.equal(true);
  });
});
