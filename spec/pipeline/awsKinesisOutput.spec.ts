/**
 * The pipeline file loader: the `aws_kinesis` block (an object or YAML text) to a validated
 * `ToKinesisConfig`, `${VAR}` interpolation, and errors in the file's snake_case names.
 */
import { expect } from 'chai';
import { lastValueFrom, of, toArray } from 'rxjs';
import { recordingLogger } from '../support/collect.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { KinesisConfigError, toKinesis } from '../../lib/index.js';
import { loadAwsKinesisOutput, parsePipelineYaml } from '../../lib/pipeline/awsKinesisOutput.js';

describe('loadAwsKinesisOutput (the aws_kinesis output block)', () => {
  it('maps every aws_kinesis field of an object to its ToKinesisConfig field', () => {
    const config = loadAwsKinesisOutput({
      stream_name: 'orders',
      partition_key: 'customer.id',
      region: 'eu-west-1',
      endpoint_url: 'http://localhost:4566',
      credentials: { access_key_id: 'AKID', secret_access_key: 'SECRET', session_token: 'TOKEN' },
      batch: { size: 100, duration: '250ms' },
    });
    expect(config).to.deep.equal({
      streamName: 'orders',
      partitionKey: 'customer.id',
      region: 'eu-west-1',
      endpoint: 'http://localhost:4566',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' },
      batch: { size: 100, duration: '250ms' },
    });
    expect(loadAwsKinesisOutput({ stream_name: 'orders' })).to.deep.equal({ streamName: 'orders' });
    expect(loadAwsKinesisOutput('stream_name: s\ncredentials: { access_key_id: a, secret_access_key: b, session_token: "${T:}" }', { env: {} }).credentials).to.deep.equal({
      accessKeyId: 'a',
      secretAccessKey: 'b',
    });
  });

  it('reads YAML text, with ${VAR} and ${VAR:default} from the environment; a plain value becomes a number, a quoted one stays text', () => {
    const env = { STREAM: 'orders', SIZE: '250', PORT: '4566', KEY: 'customer_id' };
    const config = loadAwsKinesisOutput(
      'stream_name: ${STREAM}\npartition_key: "${KEY}"\nendpoint_url: http://localhost:${PORT}\nregion: ${REGION:us-east-2}\nbatch: { size: ${SIZE}, duration: ${WAIT:1s} }\n# ${IN_A_COMMENT} is left alone\n',
      { env },
    );
    expect(config).to.deep.equal({ streamName: 'orders', partitionKey: 'customer_id', region: 'us-east-2', endpoint: 'http://localhost:4566', batch: { size: 250, duration: '1s' } });
    expect(parsePipelineYaml('a: "${N}"\nb: ${N}\nc: ${T}\nd: x${N}', { env: { N: '12', T: 'true' } })).to.deep.equal({ a: '12', b: 12, c: true, d: 'x12' });
  });

  it('a ${VAR} in a text field stays the text it was (digits, 0x.., true); in batch it still becomes a number', () => {
    const env = { STREAM: '2024', REGION: 'true', KEY: '000000000000', SECRET: '98765432109876543210', TOKEN: '0x1f', SIZE: '250', WAIT: '1000' };
    const config = loadAwsKinesisOutput(
      'stream_name: ${STREAM}\nregion: ${REGION}\ncredentials: { access_key_id: ${KEY}, secret_access_key: ${SECRET}, session_token: ${TOKEN} }\nbatch: { size: ${SIZE}, duration: ${WAIT} }\n',
      { env },
    );
    expect(config).to.deep.equal({
      streamName: '2024',
      region: 'true',
      credentials: { accessKeyId: '000000000000', secretAccessKey: '98765432109876543210', sessionToken: '0x1f' },
      batch: { size: 250, duration: 1000 },
    });
    // parsePipelineYaml itself still gives the number; a number or a list written as such in a text field is still refused.
    expect(parsePipelineYaml('stream_name: ${STREAM}', { env })).to.deep.equal({ stream_name: 2024 });
    expect(() => loadAwsKinesisOutput('stream_name: [a]\nregion: 2024')).to.throw(KinesisConfigError).with.property('problems').that.has.length(2);
  });

  it('a YAML error found while reading the values (an alias with no anchor) is a KinesisConfigError with its kind and line, never the text', () => {
    const secret = 'ab/cdSECRET';
    let problems: readonly string[] = [];
    try {
      loadAwsKinesisOutput(`stream_name: s\ncredentials:\n  access_key_id: a\n  secret_access_key: *${secret}\n`);
    } catch (error) {
      if (!(error instanceof KinesisConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).to.deep.equal(['yaml: Unresolved alias (the anchor must be set before the alias) (line 4)']);
    expect(() => parsePipelineYaml('a: *x')).to.throw(KinesisConfigError);
  });

  it('a value cannot change the structure of the file', () => {
    expect(parsePipelineYaml('a: ${V}\nb: 1', { env: { V: 'x\nb: 2 # c' } })).to.deep.equal({ a: 'x\nb: 2 # c', b: 1 });
  });

  it('names every unset variable with its field', () => {
    expect(() => loadAwsKinesisOutput('stream_name: ${NO_STREAM}\ncredentials:\n  secret_access_key: ${NO_SECRET}\n', { env: {} })).to.throw(KinesisConfigError).with.property('problems').that.deep.equals([
      'stream_name: environment variable NO_STREAM is not set',
      'credentials.secret_access_key: environment variable NO_SECRET is not set',
    ]);
  });

  it('lists every problem with its snake_case path: types, unknown fields, required fields', () => {
    expect(() => loadAwsKinesisOutput({ partition_key: '', endpoint_url: 'ftp://host', batch: { size: 'ten', duration: 'soon', count: 5 }, streamName: 'camel' }))
      .to.throw(KinesisConfigError)
      .with.property('problems')
      .that.has.members([
      'streamName: unknown field (known: stream_name, partition_key, region, endpoint_url, credentials, batch)',
      'batch.count: unknown field (known: size, duration)',
      "partition_key: '' is not a field path such as 'customer_id' or 'order.id'",
      "endpoint_url: 'ftp://host' is not an http(s) URL such as 'http://localhost:4566'",
      "batch.size: 'ten' is not a positive integer",
      "batch.duration: 'soon' is not a duration",
      'stream_name: required',
    ]);
    expect(() => loadAwsKinesisOutput({ stream_name: 's', partition_key: 'order..id' })).to.throw(KinesisConfigError).with.property('problems').that.deep.equals([
      "partition_key: 'order..id' is not a field path such as 'customer_id' or 'order.id'",
    ]);
    expect(() => loadAwsKinesisOutput('- a list')).to.throw(KinesisConfigError).with.property('problems').that.deep.equals(['config: expected an object, got an array']);
  });

  it('never shows a secret: not in a value error, an unknown credentials field, or a YAML syntax error', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG';
    const problems = [{ stream_name: 's', credentials: { access_key_id: 42, secret_access_key: secret, token: secret } }, `stream_name: s\ncredentials:\n  secret_access_key: ${secret}: oops\n`].flatMap((input) => {
      try {
        loadAwsKinesisOutput(input);
      } catch (error) {
        if (error instanceof KinesisConfigError) return error.problems;
      }
      throw new Error('expected a KinesisConfigError');
    });
    expect(problems).to.include('credentials.access_key_id: the value given is not a non-empty string');
    expect(problems.some((problem) => problem.startsWith('credentials.token: unknown field'))).to.equal(true);
    expect(problems.some((problem) => problem.startsWith('yaml:') && problem.includes('line 3'))).to.equal(true);
    for (const problem of problems) expect(problem).to.not.include(secret);
    expect(() => loadAwsKinesisOutput({ stream_name: 's', credentials: { secret_access_key: secret } })).to.throw(KinesisConfigError).with.property('problems').that.deep.equals([
      'credentials.access_key_id: required with credentials.secret_access_key',
    ]);
  });

  it('names an unknown credentials field in snake_case, and refuses a logger with none of its methods', () => {
    expect(() => loadAwsKinesisOutput({ stream_name: 's', credentials: { access_key_id: 'a', secret_access_key: 'b', sesion_token: 'c' } }))
      .to.throw(KinesisConfigError)
      .with.property('problems')
      .that.deep.equals(['credentials.sesion_token: unknown field (known: access_key_id, secret_access_key, session_token)']);
    expect(() => loadAwsKinesisOutput({ stream_name: 's' }, { logger: { warning: () => undefined } as never }))
      .to.throw(KinesisConfigError)
      .with.property('problems')
      .that.deep.equals(['logger: has none of debug, info, warn, error (a console-shaped logger such as console)']);
  });

  it('says only what type a block that is not an object is: YAML text of one scalar (a pasted secret, say) is that string', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(() => loadAwsKinesisOutput(secret)).to.throw(KinesisConfigError).with.property('problems').that.deep.equals(['config: expected an object, got a string']);
  });

  it('a batch.size over 500 is capped by the operator with a warning to the given logger', () => {
    const logger = recordingLogger();
    const config = loadAwsKinesisOutput('stream_name: s\nbatch: { size: 1000 }', { logger });
    expect(config.batch).to.deep.equal({ size: 1000 });
    toKinesis(config);
    expect(logger.lines).to.deep.equal([{ level: 'warn', message: 'batch.size 1000 is over the service limit; using 500' }]);
  });

  it('gives a config that toKinesis sends with: keys from the partition_key field', async () => {
    const stream = uniqueStreamName('seed');
    await localKinesis().createStream(stream, 1);
    const config = loadAwsKinesisOutput('stream_name: ${S}\npartition_key: customer_id\nendpoint_url: ${E}\ncredentials: { access_key_id: local, secret_access_key: local }\n', {
      env: { S: stream, E: localKinesis().endpoint },
    });
    const batches = await lastValueFrom(of({ customer_id: 'alice', n: 1 }, { customer_id: 'bob', n: 2 }).pipe(toKinesis(config), toArray()));
    expect(batches.flatMap((batch) => batch.records.map((record) => record.status))).to.deep.equal(['ok', 'ok']);
    const stored = await localKinesis().readStream(stream);
    expect(stored.map((record) => [record.partitionKey, Buffer.from(record.data).toString()])).to.deep.equal([
      ['alice', '{"customer_id":"alice","n":1}'],
      ['bob', '{"customer_id":"bob","n":2}'],
    ]);
  });
});

describe('loadAwsKinesisOutput with a whole pipeline file (as the command takes it)', () => {
  const file = [
    'input:',
    '  stdin: {}',
    'output:',
    '  aws_kinesis:',
    '    stream_name: ${STREAM}',
    '    partition_key: customer_id',
    '    batch: { size: 100, duration: 1s }',
  ].join('\n');

  it('takes the aws_kinesis block of the file, as the block alone would give', () => {
    const env = { STREAM: 'orders' };
    expect(loadAwsKinesisOutput(file, { env })).to.deep.equal(loadAwsKinesisOutput({ stream_name: 'orders', partition_key: 'customer_id', batch: { size: 100, duration: '1s' } }));
  });

  it("names a problem of the block by its path in the file", () => {
    expect(() => loadAwsKinesisOutput(file.replace('size: 100', 'size: ten'), { env: { STREAM: 'orders' } })).to.throw(
      KinesisConfigError,
      "invalid pipeline config: output.aws_kinesis.batch.size: 'ten' is not a positive integer",
    );
  });

  it('refuses by name what it does not run (other inputs, processors, other outputs), and a file with no aws_kinesis output', () => {
    const other = { input: { kafka: {} }, pipeline: { processors: [] }, output: { aws_kinesis: { stream_name: 's' }, file: {} } };
    expect(() => loadAwsKinesisOutput(other)).to.throw(KinesisConfigError, /input\.kafka: not supported.*pipeline: not supported|pipeline: not supported.*input\.kafka: not supported/);
    expect(() => loadAwsKinesisOutput(other)).to.throw(KinesisConfigError, /output\.file: not supported/);
    expect(() => loadAwsKinesisOutput({ input: { stdin: {} } })).to.throw(KinesisConfigError, 'output: required');
  });
});
