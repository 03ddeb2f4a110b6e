/**
 * The `rxjs-kinesis` command, run as a user runs it (node with tsx, as `npm run cli` does),
 * against the in-process kinesalite: every line read back byte for byte with its key; bad lines,
 * bad configurations and their exit codes; the failures file; and backpressure on a large input
 * through a slow endpoint.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { cli, cliInProcess, root, specFolder, stored, summary, until } from '../support/command.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { startNullKinesis } from '../../bench/harness/server.js';
import { USAGE } from '../../lib/cli/args.js';
import { FailureReport } from '../../lib/cli/failures.js';

describe('the rxjs-kinesis command', function () {
  this.timeout(60_000);
  const folder = specFolder('rxjs-kinesis-cli-');

  it('--help prints the usage, every flag in the command line guide\'s flags table and the exit codes, and exits 0', async () => {
    const run = await cliInProcess(['--help']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(USAGE);
    const guide = await readFile(join(root, 'docs', 'guides', 'command-line.md'), 'utf8');
    const start = guide.indexOf('\n## Flags\n');
    expect(start, 'a "## Flags" section in docs/guides/command-line.md').to.be.greaterThan(-1);
    const end = guide.indexOf('\n## ', start + 1);
    const table = guide.slice(start, end === -1 ? undefined : end);
    const flags = [...table.matchAll(/^\| `([^|]*)` \|/gm)].flatMap(([, cell]) => [...cell!.matchAll(/(?<![\w-])(--?[a-z][\w-]*)/g)].map(([flag]) => flag!));
    expect(flags).to.include.members(['-c', '--config', '--max-waiting-bytes', '-q', '--quiet', '-h', '--help', '--version']);
    for (const flag of flags) expect(run.stdout, flag).to.match(new RegExp(`(^|[\\s,])${flag}[\\s,]`, 'm'));
    expect(run.stdout).to.match(/Exit codes: 0 .*; 1 .*\n?.*2 usage or configuration error/s);
  });

  it('sends stdin with a pipeline.yaml (${VAR}s, a capped batch.size): every line byte for byte, keyed by its field', async () => {
    const stream = uniqueStreamName('cli-config');
    await localKinesis().createStream(stream, 1);
    const lines = Array.from({ length: 1_200 }, (_, i) => `{"order_id":${i},"customer_id":"c-${i % 7}","note":"caf\u00e9 ${'x'.repeat(i % 50)}"}`);
    const pipeline = join(folder.path, 'pipeline.yaml');
    await writeFile(
      pipeline,
      [
        'input:',
        '  stdin: {}',
        'output:',
        '  aws_kinesis:',
        '    stream_name: ${STREAM}',
        '    partition_key: customer_id',
        '    region: us-east-1',
        '    endpoint_url: ${ENDPOINT}',
        '    credentials: { access_key_id: local, secret_access_key: "${SECRET}" }',
        '    batch: { size: ${SIZE}, duration: 1s }',
      ].join('\n'),
    );
    const run = await cli(['--config', pipeline], { stdin: `${lines.join('\n')}\n`, env: { STREAM: stream, ENDPOINT: localKinesis().endpoint, SECRET: 'local', SIZE: '1000' } });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.include('batch.size 1000 is over the service limit; using 500');
    expect(summary(run.stderr)).to.include({ delivered: 1_200, failed: 0 });
    const records = await stored(stream);
    expect(records.map((r) => r.data.toString('utf8'))).to.deep.equal(lines);
    expect(records.map((r) => r.key)).to.deep.equal(lines.map((_, i) => `c-${i % 7}`));
  });

  it('sends --input FILE with flags only: the bytes as they are (not even UTF-8), a random key per record', async () => {
    const stream = uniqueStreamName('cli-flags');
    await localKinesis().createStream(stream, 1);
    const lines = [Buffer.from('plain text, not JSON'), Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d]), Buffer.from('{"a": 1}   ')];
    const input = join(folder.path, 'events.bin');
    await writeFile(input, Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])));
    const failures = join(folder.path, 'none-failed.ndjson');
    await writeFile(failures, 'left from an earlier run\n');
    const run = await cli(['--input', input, '--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--batch-size', '2', '--batch-duration', '100ms', '--concurrency', '2', '--failures', failures]);
    expect(run.code, run.stderr).to.equal(0);
    expect(summary(run.stderr)).to.include({ delivered: 3, failed: 0 });
    expect(await readFile(failures, 'utf8'), 'the failures file, emptied').to.equal('');
    const records = await stored(stream);
    expect(records.map((r) => r.data.toString('hex')).sort()).to.deep.equal(lines.map((line) => line.toString('hex')).sort());
    for (const { key } of records) expect(key).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('fails a line that is not JSON or lacks the key field alone, with its line number; sends the rest; exits 1', async () => {
    const stream = uniqueStreamName('cli-bad-lines');
    await localKinesis().createStream(stream, 1);
    const input = ['{"order_id":"o1"}', 'not json', '', '{"customer_id":"c9"}', '{"order_id":"o5"}', '{"order_id":null}'].join('\n');
    const failures = join(folder.path, 'failed.ndjson');
    const run = await cli(['--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--partition-key', 'order_id', '--failures', failures], { stdin: input });
    expect(run.code, run.stderr).to.equal(1);
    expect(summary(run.stderr)).to.include({ delivered: 2, failed: 3 });
    expect(run.stderr).to.match(/line 2: InvalidPartitionKey: the line is not JSON \(.+\), so it has no field 'order_id'\n/);
    const failed = (await readFile(failures, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failed.map((entry) => Object.keys(entry))).to.deep.equal([0, 1, 2].map(() => ['line', 'errorCode', 'errorMessage', 'data']));
    expect(failed.map((entry) => [entry['line'], entry['errorCode']])).to.deep.equal([
      [2, 'InvalidPartitionKey'],
      [4, 'InvalidPartitionKey'],
      [6, 'InvalidPartitionKey'],
    ]);
    // The key field's problem in the operator's words (a field path), not as a function that threw.
    expect(failed.map((entry) => entry['errorMessage']).slice(1)).to.deep.equal(["field 'order_id' is missing, expected a string or number", "field 'order_id' is null, expected a string or number"]);
    const records = await stored(stream);
    expect(records.map((r) => [r.key, r.data.toString()])).to.deep.equal([
      ['o1', '{"order_id":"o1"}'],
      ['o5', '{"order_id":"o5"}'],
    ]);
  });

  for (const keyed of [true, false]) {
    it(`a line over 1 MiB ${keyed ? 'with --partition-key' : 'with random keys'} fails alone as RecordTooLarge, with its whole size (not parsed as JSON)`, async () => {
      const stream = uniqueStreamName('cli-long');
      await localKinesis().createStream(stream, 1);
      const long = `{"id":"big","pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
      const input = Readable.from([Buffer.from(`{"id":"a"}\n${long}\n{"id":"b"}\n`)]);
      const key = keyed ? ['--partition-key', 'id'] : [];
      const run = await cliInProcess([...folder.local, '--stream-name', stream, '--endpoint-url', localKinesis().endpoint, ...key, '--batch-duration', '100ms', '--quiet'], {}, { stdin: input });
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.include(`line 2: RecordTooLarge: the line is ${Buffer.byteLength(long).toLocaleString('en-US')} bytes, over the record limit of 1,048,576 bytes\n`);
      expect(summary(run.stderr)).to.include({ delivered: 2, failed: 1 });
      expect((await stored(stream)).map((r) => r.data.toString())).to.deep.equal(['{"id":"a"}', '{"id":"b"}']);
    });
  }

  it('--input - is stdin', async () => {
    const stream = uniqueStreamName('cli-dash');
    await localKinesis().createStream(stream, 1);
    const run = await cli(['--input', '-', '--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--batch-duration', '100ms'], { stdin: 'one\ntwo\n' });
    expect(run.code, run.stderr).to.equal(0);
    expect((await stored(stream)).map((r) => r.data.toString())).to.deep.equal(['one', 'two']);
  });

  it('a text field from a ${VAR} stays text: a stream named by digits', async () => {
    const stream = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    await localKinesis().createStream(stream, 1);
    const pipeline = join(folder.path, 'digits.yaml');
    await writeFile(pipeline, 'output:\n  aws_kinesis:\n    stream_name: ${STREAM}\n    endpoint_url: ${ENDPOINT}\n    region: us-east-1\n    credentials: { access_key_id: local, secret_access_key: local }\n    batch: { size: ${SIZE}, duration: ${WAIT} }\n');
    const run = await cliInProcess(['--config', pipeline, '--quiet'], { STREAM: stream, ENDPOINT: localKinesis().endpoint, SIZE: '10', WAIT: '100' }, { stdin: Readable.from([Buffer.from('one\ntwo\n')]) });
    expect(run.code, run.stderr).to.equal(0);
    expect((await stored(stream)).map((r) => r.data.toString())).to.deep.equal(['one', 'two']);
  });

  describe('the failures file', () => {
    it('cannot be written (a full disk): one line naming it, the summary, exit 1; no crash', async function () {
      if (!existsSync('/dev/full')) this.skip();
      const run = await cli(['--stream-name', uniqueStreamName('cli-full'), '--endpoint-url', localKinesis().endpoint, '--partition-key', 'id', '--failures', '/dev/full'], { stdin: 'not json\nnor this\n' });
      expect(run.code, run.stderr).to.equal(1);
      expect(summary(run.stderr)).to.include({ delivered: 0, failed: 2 });
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines.filter((line) => line.includes('/dev/full')), run.stderr).to.have.length(1);
      expect(lines.find((line) => line.includes('/dev/full'))).to.match(/^rxjs-kinesis: --failures: cannot write '\/dev\/full': ENOSPC/);
      expect(run.stderr).to.not.match(/^\s+at /m);
    });

    it('pauses the input while the file is behind (write returns false) and resumes it on drain', async () => {
      const path = join(folder.path, 'flood.ndjson');
      let paused = false;
      let pauses = 0;
      const hold = { pause: () => ((paused = true), (pauses += 1)), resume: () => (paused = false), isPaused: () => paused };
      const report = await FailureReport.open(path, { stream: Readable.from([]), name: 'stdin', identity: undefined }, () => undefined, hold);
      const total = 20_000;
      for (let number = 1; number <= total; number += 1) {
        report.add({ line: { number, data: Buffer.from('x'), size: 1 }, errorCode: 'InvalidPartitionKey', errorMessage: 'the line is not JSON', possiblyWritten: false });
      }
      expect(pauses, 'paused once, while behind').to.equal(1);
      expect(paused).to.equal(true);
      await until(() => !paused);
      await report.close();
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
      expect(lines).to.have.length(total);
      expect(JSON.parse(lines[total - 1]!)).to.deep.equal({ line: total, errorCode: 'InvalidPartitionKey', errorMessage: 'the line is not JSON', data: 'x' });
    });
  });

  describe('refuses a bad command line or configuration with exit 2 and one line naming the field', () => {
    /** Runs a pipeline file; expects exit 2 and a single-line message. */
    async function refused(yaml: string, env: Record<string, string> = {}): Promise<string> {
      const pipeline = join(folder.path, 'bad.yaml');
      await writeFile(pipeline, yaml);
      const run = await cliInProcess(['--config', pipeline], env);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr.trimEnd().split('\n'), run.stderr).to.have.length(1);
      return run.stderr;
    }

    it('a bad value or an unknown field of aws_kinesis (in its own process)', async () => {
      const pipeline = join(folder.path, 'bad-value.yaml');
      await writeFile(pipeline, 'output:\n  aws_kinesis: { stream_name: s, batch: { size: ten, count: 3 }, endpoint: x }\n');
      const run = await cli(['--config', pipeline], { stdin: 'never read\n' });
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr.trimEnd().split('\n'), run.stderr).to.have.length(1);
      const message = run.stderr;
      expect(message).to.include("output.aws_kinesis.batch.size: 'ten' is not a positive integer");
      expect(message).to.include('output.aws_kinesis.batch.count: unknown field (known: size, duration)');
      expect(message).to.include('output.aws_kinesis.endpoint: unknown field');
    });

    it('an unset ${VAR}, naming it and its field', async () => {
      const message = await refused('output:\n  aws_kinesis:\n    stream_name: ${CLI_SPEC_UNSET}\n');
      expect(message).to.include('output.aws_kinesis.stream_name: environment variable CLI_SPEC_UNSET is not set');
    });

    it('another input, processors, another output', async () => {
      const message = await refused('input:\n  kafka: { addresses: [k:9092] }\npipeline:\n  processors: [{ mapping: root = this }]\noutput:\n  aws_kinesis: { stream_name: s }\n  file: { path: x }\n');
      expect(message).to.include('input.kafka: not supported (supported: input.stdin and output.aws_kinesis');
      expect(message).to.include('pipeline: not supported');
      expect(message).to.include('output.file: not supported');
    });

    it('a secret in a broken file is never shown', async () => {
      const message = await refused('output:\n  aws_kinesis:\n    credentials: { access_key_id: a, secret_access_key: TOPSECRET: x }\n');
      expect(message).to.include('yaml:').and.to.include('line 3');
      expect(message).to.not.include('TOPSECRET');
      const alias = await refused('output:\n  aws_kinesis:\n    stream_name: s\n    credentials: { access_key_id: a, secret_access_key: *ab/cdSECRET }\n');
      expect(alias).to.include('yaml: Unresolved alias').and.to.include('line 4');
      expect(alias).to.not.include('SECRET');
    });

    it('bad flags, named as flags', async () => {
      const run = await cliInProcess(['--batch-size', 'ten', '--concurrency', '0', '--max-waiting', '100', '--ordering', 'keys']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include("--batch-size: 'ten' is not a positive integer");
      expect(run.stderr).to.include('--stream-name: required');
      expect(run.stderr).to.include("--concurrency: '0' is not a positive integer");
      expect(run.stderr).to.include("--ordering: 'keys' is not 'key' or 'none'");
      expect((await cliInProcess(['--stream-name', 's', '--max-waiting', '100'])).stderr).to.include('--max-waiting: 100 is less than the batch size (500)');
      for (const flag of ['--concurrency', '--max-waiting', '--batch-size']) {
        const negative = await cliInProcess(['--stream-name', 's', flag, '-1']);
        expect([negative.code, negative.stderr]).to.deep.equal([2, `rxjs-kinesis: ${flag}: '-1' is not a positive integer\n`]);
      }
      const unknown = await cliInProcess(['--stream-name', 's', '--streem']);
      expect([unknown.code, unknown.stderr]).to.deep.equal([2, "rxjs-kinesis: Unknown option '--streem'\n"]);
      const missing = await cliInProcess(['--stream-name', 's', '--input', join(folder.path, 'no-such-file')]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.include('--input: cannot read');
    });
  });

  describe('backpressure: reading pauses while too much waits, through a slow endpoint', () => {
    let upstream: Awaited<ReturnType<typeof startNullKinesis>>;
    let proxy: Awaited<ReturnType<typeof startFaultProxy>>;

    beforeEach(async () => {
      upstream = await startNullKinesis();
      // The endpoint takes 40-60 ms per request: reading runs far ahead of it.
      proxy = await startFaultProxy(upstream.endpoint, { latencyMs: [40, 60] });
    });

    afterEach(async () => {
      await proxy.close();
      await upstream.close();
    });

    it('100,000 lines: none lost, at most --max-waiting records waited, no batch left waiting for its timer', async function () {
      this.timeout(120_000);
      const total = 100_000;
      const input = join(folder.path, 'large.ndjson');
      await writeFile(input, Array.from({ length: total }, (_, i) => `{"id":${i},"user":"u${i % 1000}","event":"click"}\n`).join(''));
      const run = await cli(['--input', input, '--stream-name', 'large', '--endpoint-url', proxy.endpoint, '--partition-key', 'user', '--max-waiting', '1300', '--concurrency', '2', '--batch-duration', '10m']);
      expect(run.code, run.stderr).to.equal(0);
      const { delivered, failed, peak, bound } = summary(run.stderr);
      expect({ delivered, failed, bound }).to.deep.equal({ delivered: total, failed: 0, bound: 1_300 });
      // Reached the bound and held there. Reading was paused with 300 records in an open batch: it
      // resumed for them (the 10-minute batch timer would have outlasted the test).
      expect(peak).to.be.at.most(1_300).and.at.least(1_000);
      expect(proxy.stats.recordsReceived).to.equal(total);
      expect(proxy.stats.recordsWritten).to.equal(total);
    });

    it('2,000 lines of 20 KB: none lost, at most --max-waiting-bytes (plus one record) waited', async function () {
      this.timeout(120_000);
      const total = 2_000;
      const bound = 5 * 1024 * 1024;
      const input = join(folder.path, 'wide.ndjson');
      await writeFile(input, Array.from({ length: total }, (_, i) => `{"id":${i},"pad":"${'x'.repeat(20_000)}"}\n`).join(''));
      const run = await cli(['--input', input, '--stream-name', 'wide', '--endpoint-url', proxy.endpoint, '--max-waiting-bytes', String(bound)]);
      expect(run.code, run.stderr).to.equal(0);
      const { delivered, failed, peakBytes, boundBytes } = summary(run.stderr);
      expect({ delivered, failed, boundBytes }).to.deep.equal({ delivered: total, failed: 0, boundBytes: bound });
      expect(peakBytes).to.be.at.most(bound + 1024 * 1024).and.at.least(bound / 2);
      expect(proxy.stats.recordsWritten).to.equal(total);
    });
  });
});
