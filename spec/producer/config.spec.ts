import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { configProblems } from '../support/configProblems.js';
import { KinesisConfigError, toKinesis } from '../../lib/index.js';
import type { ToKinesisConfig } from '../../lib/index.js';
import { validateToKinesisConfig } from '../../lib/producer/config.js';

const problemsOf = (config: unknown): readonly string[] => configProblems(validateToKinesisConfig, config);

describe('config validation', () => {
  it('accepts a stream name alone, or an ARN alone', () => {
    expect(() => validateToKinesisConfig({ streamName: 'events' })).not.to.throw();
    expect(() => validateToKinesisConfig({ streamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/events' })).not.to.throw();
  });

  it('throws synchronously from toKinesis, with a literal name and every problem in the message', () => {
    let thrown: unknown;
    try {
      // @ts-expect-error: the type requires streamName or streamARN, as the check does
      toKinesis({ batch: { duration: 'soon' as never, size: 0 }, concurrency: 1.5 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(KinesisConfigError);
    const error = thrown as KinesisConfigError;
    expect(error.name).to.equal('KinesisConfigError');
    expect(error.problems).to.have.members([
      "batch.duration: 'soon' is not a duration",
      'batch.size: 0 is not a positive integer',
      'concurrency: 1.5 is not a positive integer',
      'streamName: required (or give streamARN)',
    ]);
    for (const problem of error.problems) expect(error.message).to.include(problem);
  });

  it('names unknown fields, at the top level and inside blocks', () => {
    expect(problemsOf({ streamName: 's', stream_name: 's', batch: { count: 3 } })).to.deep.equal([
      'stream_name: unknown field (known: streamName, streamARN, region, endpoint, credentials, client, requestTimeout, logger, partitionKey, explicitHashKey, serialize, batch, maxRecordBytes, concurrency, retry, scheduler, backlog, aggregation, shardLimit, ordering)',
      'batch.count: unknown field (known: size, duration, maxBytes)',
    ]);
  });

  it('checks every field type with its path', () => {
    expect(
      problemsOf({
        streamName: '',
        partitionKey: 'order..id',
        serialize: 'json',
        endpoint: 'localhost:4566',
        maxRecordBytes: 11 * 1024 * 1024,
        retry: { maxAttempts: -1, minDelay: '1 second' },
        logger: { warn: 'loud' },
        scheduler: {},
      }),
    ).to.have.members([
      "streamName: '' is not a non-empty string",
      "partitionKey: 'order..id' is not a field path such as 'customer_id' or 'order.id', or a function",
      "serialize: 'json' is not a function",
      "endpoint: 'localhost:4566' is not an http(s) URL such as 'http://localhost:4566'",
      "maxRecordBytes: 11534336 is not a whole number of bytes from 1 to 10485760 (10 MiB), or 'stream'",
      'retry.maxAttempts: -1 is not a positive integer',
      "retry.minDelay: '1 second' is not a duration",
      "logger.warn: 'loud' is not a function",
      'scheduler: an object is not an RxJS scheduler',
    ]);
  });

  it("accepts ordering 'none', 'key' or the block, and names what is wrong otherwise", () => {
    for (const ordering of ['none', 'key', { by: 'key' }, { by: 'key', afterFailure: 'fail' }]) expect(() => validateToKinesisConfig({ streamName: 's', ordering })).not.to.throw();
    expect(problemsOf({ streamName: 's', ordering: 'keys' })).to.deep.equal(["ordering: 'keys' is not 'none', 'key' or { by: 'key', afterFailure? }"]);
    expect(problemsOf({ streamName: 's', ordering: { by: 'key', afterFailure: 'drop' } })).to.deep.equal(["ordering.afterFailure: 'drop' is not 'send' or 'fail'"]);
    expect(problemsOf({ streamName: 's', ordering: { afterFailure: 'fail' } })).to.have.length(1);
    expect(problemsOf({ streamName: 's', ordering: { by: 'key', after: 'fail' } })[0]).to.match(/^ordering\.after: unknown field/);
  });

  it("takes maxRecordBytes: 'stream' (the stream's own limit), and no other string", () => {
    expect(() => validateToKinesisConfig({ streamName: 's', maxRecordBytes: 'stream' })).not.to.throw();
    expect(problemsOf({ streamName: 's', maxRecordBytes: 'shard' })).to.deep.equal(["maxRecordBytes: 'shard' is not a whole number of bytes from 1 to 10485760 (10 MiB), or 'stream'"]);
  });

  it('accepts retry: false, and refuses a minimum delay over the maximum', () => {
    expect(() => validateToKinesisConfig({ streamName: 's', retry: false })).not.to.throw();
    expect(problemsOf({ streamName: 's', retry: true })).to.deep.equal(['retry: true is not false or { maxAttempts?, minDelay?, maxDelay? }']);
    expect(problemsOf({ streamName: 's', retry: { minDelay: '10s' } })).to.deep.equal(['retry.minDelay: 10000 ms is longer than retry.maxDelay (5000 ms)']);
  });

  it('refuses a client mixed with region, endpoint or credentials', () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    try {
      expect(problemsOf({ streamName: 's', client, region: 'eu-west-1', endpoint: 'http://localhost:4566' })).to.deep.equal([
        'client: cannot be combined with region, endpoint; configure them on your KinesisClient',
      ]);
      expect(() => validateToKinesisConfig({ streamName: 's', client })).not.to.throw();
    } finally {
      client.destroy();
    }
  });

  it('refuses a stream ARN that names another stream than streamName', () => {
    expect(problemsOf({ streamName: 'a', streamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/b' })).to.deep.equal([
      "streamARN: names another stream than streamName 'a'",
    ]);
  });

  it('refuses a backlog bound below the batch size (a batch could not fill), counting the cap of batch.size', () => {
    expect(problemsOf({ streamName: 's', backlog: { maxRecords: 100 } })).to.deep.equal([
      'backlog.maxRecords: 100 is less than batch.size (500): a batch could not fill, and items over the bound would fail while it waits for batch.duration (lower batch.size)',
    ]);
    expect(() => validateToKinesisConfig({ streamName: 's', batch: { size: 1000 }, backlog: { maxRecords: 500 } })).not.to.throw();
    expect(() => validateToKinesisConfig({ streamName: 's', batch: { size: 100 }, backlog: { maxRecords: 100 } })).not.to.throw();
  });

  it("refuses a region other than the stream ARN's", () => {
    expect(problemsOf({ streamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/b', region: 'eu-west-1' })).to.deep.equal([
      "streamARN: is in region us-east-1, but region is eu-west-1 (leave region out to use the ARN's)",
    ]);
  });

  it('never echoes credential values', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    for (const credentials of [{ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 42, sessionToken: secret }, secret, { accessKeyId: secret }]) {
      const problems = problemsOf({ streamName: 's', credentials });
      expect(problems.join('\n')).not.to.include(secret);
      expect(problems.join('\n')).not.to.include('AKIAEXAMPLE');
      expect(problems.every((p) => p.startsWith('credentials'))).to.equal(true);
    }
    expect(problemsOf({ streamName: 's', credentials: { accessKeyId: 'AKIAEXAMPLE' } })).to.deep.equal(['credentials.secretAccessKey: required']);
  });

  it('refuses an unknown field in the credentials block, naming it but never a value', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const problems = problemsOf({ streamName: 's', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret, sesionToken: secret } });
    expect(problems).to.deep.equal([
      'credentials.sesionToken: unknown field (known: accessKeyId, secretAccessKey, sessionToken, expiration, credentialScope, accountId, $source)',
    ]);
  });

  it('accepts credentials as the SDK gives them, or leaves them once a client has used them ($source)', async () => {
    const identity = { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c', expiration: new Date(), credentialScope: 'd', accountId: '123456789012' };
    expect(() => validateToKinesisConfig({ streamName: 's', credentials: identity })).not.to.throw();
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    const client = new KinesisClient({ region: 'us-east-1', credentials });
    try {
      await client.config.credentials();
    } finally {
      client.destroy();
    }
    expect(credentials).to.have.property('$source');
    expect(() => validateToKinesisConfig({ streamName: 's', credentials })).not.to.throw();
  });

  it('takes console as a logger, and refuses a logger with none of debug, info, warn, error', () => {
    expect(() => validateToKinesisConfig({ streamName: 's', logger: console })).not.to.throw();
    expect(problemsOf({ streamName: 's', logger: { warning: () => undefined } })).to.deep.equal([
      'logger: has none of debug, info, warn, error (a console-shaped logger such as console)',
    ]);
    expect(problemsOf({ streamName: 's', logger: 'console' })).to.deep.equal(["logger: 'console' is not a console-shaped logger such as console"]);
  });

  it('refuses a config that is not an object, saying only what type it is', () => {
    expect(problemsOf(undefined)).to.deep.equal(['config: expected an object, got undefined']);
    expect(problemsOf(null)).to.deep.equal(['config: expected an object, got null']);
    expect(problemsOf('events')).to.deep.equal(['config: expected an object, got a string']);
    expect(problemsOf(42)).to.deep.equal(['config: expected an object, got a number']);
    expect(problemsOf(['events'])).to.deep.equal(['config: expected an object, got an array']);
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(() => toKinesis(secret as never)).to.throw(KinesisConfigError, 'invalid toKinesis config: config: expected an object, got a string');
  });
});

describe('the ToKinesisConfig type', () => {
  it('requires streamName or streamARN, so that toKinesis({}) does not compile (checked by tsc in npm test)', () => {
    const byName: ToKinesisConfig<unknown> = { streamName: 'orders' };
    const byArn: ToKinesisConfig<unknown> = { streamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders' };
    // @ts-expect-error: neither streamName nor streamARN
    const neither: ToKinesisConfig<unknown> = { partitionKey: 'customer_id' };
    expect([byName, byArn, neither].map((config) => 'streamName' in config || 'streamARN' in config)).to.deep.equal([true, true, false]);
  });
});
