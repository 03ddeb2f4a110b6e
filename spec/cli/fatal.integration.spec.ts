/**
 * Errors that no retry can fix end the run at once, with one line that says why, exit 2 when
 * nothing was delivered (1 when some was), and every line read that was not sent counted (and
 * written to the failures file) as such; a record that fails for a reason of its own does not.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { cli, specFolder, summary, until } from '../support/command.js';
import type { ChildOptions, Run } from '../support/command.js';
import { startFaultProxy } from '../support/faultProxy.js';
import type { FaultProxy } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';

const LINES = 1_200;
const input = Array.from({ length: LINES }, (_, i) => `{"n":${i + 1}}\n`).join('');

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('errors that end the run at once', function () {
  this.timeout(60_000);
  const folder = specFolder('rxjs-kinesis-fatal-');
  let proxy: FaultProxy;

  beforeEach(async () => {
    proxy = await startFaultProxy(localKinesis().endpoint, {});
  });

  afterEach(async () => {
    await proxy.close();
  });

  /** Runs 1,200 lines with `args`; expects the stop: one line naming `code`, no failed line shown one by one, and the failures file listing every line. */
  async function stopped(args: readonly string[], code: string, options: ChildOptions = {}): Promise<Run> {
    const failures = join(folder.path, `${code}.ndjson`);
    const run = await cli([...args, '--failures', failures], { stdin: input, ...options });
    const stops = run.stderr.split('\n').filter((line) => line.startsWith('rxjs-kinesis: stopped at '));
    expect(stops, run.stderr).to.have.length(1);
    expect(stops[0]).to.include(`stopped at ${code}: `);
    expect(run.stderr).to.not.match(/rxjs-kinesis: line \d+:/);
    const entries = (await readFile(failures, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as { line: number; errorCode: string; data: string });
    expect(entries.map((entry) => entry.line).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: LINES }, (_, i) => i + 1));
    const { failed, notSent } = summary(run.stderr);
    expect(entries.filter((entry) => entry.errorCode === code)).to.have.length(failed);
    expect(entries.filter((entry) => entry.errorCode === 'NotSent')).to.have.length(notSent);
    return run;
  }

  it('no such stream (ResourceNotFoundException): one request, exit 2', async () => {
    const run = await stopped(['--stream-name', uniqueStreamName('cli-no-stream'), '--endpoint-url', proxy.endpoint], 'ResourceNotFoundException');
    expect(run.code, run.stderr).to.equal(2);
    expect(proxy.stats.putRecordsRequests).to.equal(1);
    expect(summary(run.stderr)).to.include({ delivered: 0, failed: 500, notSent: 700, records: LINES });
    expect(run.stderr).to.include('check the stream name');
  });

  it('nothing listens at the endpoint (ECONNREFUSED on every attempt of the first batch): exit 2', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await stopped(['--stream-name', 's', '--endpoint-url', endpoint, '--max-attempts', '3'], 'ECONNREFUSED');
    expect(run.code, run.stderr).to.equal(2);
    expect(summary(run.stderr)).to.include({ delivered: 0, failed: 500, notSent: 700 });
    expect(run.stderr).to.include('check --endpoint-url');
  });

  it('no credentials (CredentialsProviderError): exit 2', async () => {
    const run = await stopped(['--stream-name', 's', '--endpoint-url', proxy.endpoint], 'CredentialsProviderError', {
      // No keys, no profile (an empty home), no instance metadata.
      bareEnv: { PATH: process.env['PATH'] ?? '', HOME: folder.path, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expect(run.code, run.stderr).to.equal(2);
    expect(proxy.stats.putRecordsRequests).to.equal(0);
    expect(summary(run.stderr)).to.include({ delivered: 0, failed: 500, notSent: 700 });
  });

  it('the stream deleted while the run goes on: the lines delivered stay delivered, the rest is counted, exit 1', async () => {
    const stream = uniqueStreamName('cli-gone');
    await localKinesis().createStream(stream, 1);
    proxy.setFaults({ latencyMs: [50, 50] });
    let ended = false;
    const running = cli(['--stream-name', stream, '--endpoint-url', proxy.endpoint, '--batch-size', '100'], { stdin: input }).finally(() => (ended = true));
    await until(() => proxy.stats.recordsWritten >= 100 || ended);
    proxy.setFaults({ resourceNotFound: true });
    const run = await running;
    expect(run.code, run.stderr).to.equal(1);
    const counts = summary(run.stderr);
    expect(counts.delivered).to.equal(proxy.stats.recordsWritten).and.to.be.at.least(100).and.below(LINES);
    expect(counts.failed).to.equal(100);
    expect(counts.delivered + counts.failed + counts.notSent).to.equal(LINES);
    expect(run.stderr).to.include('rxjs-kinesis: stopped at ResourceNotFoundException: ');
  });

  it('records refused one by one (throttled after every attempt) do not stop the run: every line is tried, exit 1', async () => {
    proxy.setFaults({ failAllRecords: true });
    const run = await cli(['--stream-name', uniqueStreamName('cli-throttled'), '--endpoint-url', proxy.endpoint, '--max-attempts', '2'], { stdin: input });
    expect(run.code, run.stderr).to.equal(1);
    expect(summary(run.stderr)).to.include({ delivered: 0, failed: LINES, notSent: 0 });
    expect(run.stderr).to.not.include('stopped at');
    expect(proxy.stats.putRecordsRequests).to.equal(6);
  });
});
