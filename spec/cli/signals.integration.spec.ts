/**
 * Stopping the command: Ctrl-C (SIGINT) and SIGTERM (`docker stop`, Kubernetes, systemd), in its
 * own process as a user sends them, and the interrupt of an in-process run. The first signal
 * stops reading and delivers every line read; a second one (or the first once the input has
 * ended) stops at once. Either way every line read has an outcome, or is said to have none, and
 * the summary says where to resume.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { expect } from 'chai';
import { Subject } from 'rxjs';
import { cli, cliInProcess, specFolder, stored, summary, until } from '../support/command.js';
import { startFaultProxy } from '../support/faultProxy.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';

/** The line the summary says to resume after. */
function resumeAfter(stderr: string): number {
  const match = /resume after line ([\d,]+)/.exec(stderr);
  expect(match, `no resume point in: ${stderr}`).to.not.equal(null);
  return Number(match![1]!.replaceAll(',', ''));
}

describe('stopping the command (SIGINT, SIGTERM)', function () {
  this.timeout(60_000);
  const folder = specFolder('rxjs-kinesis-signals-');

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} while reading a large file: every line read is delivered (none left in a buffer), the summary says where to resume, exit ${code}`, async () => {
      const stream = uniqueStreamName(`cli-${signal.toLowerCase()}-read`);
      await localKinesis().createStream(stream, 1);
      const total = 30_000;
      const input = join(folder.path, `${signal}.ndjson`);
      const lines = Array.from({ length: total }, (_, i) => `{"n":${i + 1},"pad":"${'x'.repeat(i % 20)}"}`);
      await writeFile(input, `${lines.join('\n')}\n`);
      // Each request takes 30-50 ms more: reading runs ahead, and lines wait in buffers when the signal comes.
      const proxy = await startFaultProxy(localKinesis().endpoint, { latencyMs: [30, 50] });
      try {
        let command: ChildProcess | undefined;
        const running = cli(['--input', input, '--stream-name', stream, '--endpoint-url', proxy.endpoint], { started: (child) => (command = child) });
        await until(() => proxy.stats.recordsWritten >= 2_000);
        command!.kill(signal);
        const run = await running;
        expect(run.code, run.stderr).to.equal(code);
        const last = resumeAfter(run.stderr);
        expect(last).to.be.above(2_000).and.below(total);
        expect(summary(run.stderr)).to.include({ delivered: last, failed: 0, notSent: 0, noOutcome: 0, records: last, lines: last });
        // Exactly the lines up to the resume point, each once, in order.
        expect((await stored(stream)).map((record) => record.data.toString())).to.deep.equal(lines.slice(0, last));
      } finally {
        await proxy.close();
      }
    });
  }

  it('a second SIGTERM stops at once: the summary counts the records with no outcome, the failures file lists them (NoOutcome, possibly written), exit 143', async () => {
    // Requests are never answered: delivering what was read never ends.
    const proxy = await startFaultProxy(localKinesis().endpoint, { hang: 1 });
    try {
      const failures = join(folder.path, 'no-outcome.ndjson');
      let command: ChildProcess | undefined;
      let stderr = '';
      const running = cli(['--stream-name', uniqueStreamName('cli-twice'), '--endpoint-url', proxy.endpoint, '--batch-duration', '100ms', '--failures', failures], {
        stdin: 'a\n\nb\nc\n',
        keepStdinOpen: true,
        started: (child) => {
          command = child;
          child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        },
      });
      await until(() => proxy.stats.hungRequests >= 1);
      command!.kill('SIGTERM');
      // The second once the first was handled (two signals at once can arrive as one).
      await until(() => stderr.includes('SIGTERM: reading stopped'));
      command!.kill('SIGTERM');
      const run = await running;
      expect(run.code, run.stderr).to.equal(143);
      expect(run.stderr).to.match(/SIGTERM: stopped at once, .*3 records read have no outcome \(they may have been written\)/);
      expect(summary(run.stderr)).to.include({ delivered: 0, failed: 0, notSent: 0, noOutcome: 3, records: 3, lines: 4 });
      expect(resumeAfter(run.stderr)).to.equal(4);
      const entries = (await readFile(failures, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entries.map(({ line, errorCode, possiblyWritten, data }) => ({ line, errorCode, possiblyWritten, data }))).to.deep.equal([
        { line: 1, errorCode: 'NoOutcome', possiblyWritten: true, data: 'a' },
        { line: 3, errorCode: 'NoOutcome', possiblyWritten: true, data: 'b' },
        { line: 4, errorCode: 'NoOutcome', possiblyWritten: true, data: 'c' },
      ]);
    } finally {
      await proxy.close();
    }
  });

  describe('in process (the interrupt of runCli)', () => {
    it('while reading: stops reading, delivers what was read, exits 130', async () => {
      const stream = uniqueStreamName('cli-int-read');
      await localKinesis().createStream(stream, 1);
      const input = new PassThrough();
      input.write('one\ntwo\nthree\n'); // and never ends
      const interrupt = new Subject<void>();
      const running = cliInProcess([...folder.local, '--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--batch-duration', '100ms', '--quiet'], {}, { stdin: input, interrupt });
      await until(async () => (await stored(stream)).length === 3);
      interrupt.next();
      const run = await running;
      expect(run.code, run.stderr).to.equal(130);
      expect(run.stderr).to.include('rxjs-kinesis: SIGINT: reading stopped');
      expect(summary(run.stderr)).to.include({ delivered: 3, failed: 0, records: 3, lines: 3 });
      expect(resumeAfter(run.stderr)).to.equal(3);
      await until(() => input.destroyed); // the input is closed
    });

    it('after the input ended, while the last batch is retried: stops at once, says what has no outcome, exits 130', async () => {
      const proxy = await startFaultProxy(localKinesis().endpoint, { failAllRecords: true });
      try {
        const interrupt = new Subject<void>();
        const running = cliInProcess([...folder.local, '--stream-name', uniqueStreamName('cli-int-retry'), '--endpoint-url', proxy.endpoint, '--batch-duration', '10m', '--quiet'], {}, {
          stdin: Readable.from([Buffer.from('a\nb\n')]),
          interrupt,
        });
        // The 10-minute batch is sent only when the input has ended; every record of it is refused, and retried.
        await until(() => proxy.stats.putRecordsRequests >= 1);
        interrupt.next();
        const run = await running;
        expect(run.code, run.stderr).to.equal(130);
        expect(run.stderr).to.include('rxjs-kinesis: SIGINT: stopped at once');
        expect(run.stderr).to.include('2 records read have no outcome');
        expect(summary(run.stderr)).to.include({ delivered: 0, failed: 0, noOutcome: 2, records: 2, lines: 2 });
        // The whole input was read: no resume point.
        expect(run.stderr).to.not.include('resume after');
      } finally {
        await proxy.close();
      }
    });

    it('before anything is read (while starting): nothing is sent, exits 130', async () => {
      const stream = uniqueStreamName('cli-int-start');
      await localKinesis().createStream(stream, 1);
      const interrupt = new Subject<void>();
      const running = cliInProcess([...folder.local, '--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--batch-duration', '100ms', '--quiet'], {}, {
        stdin: Readable.from([Buffer.from('one\ntwo\n')]),
        interrupt,
      });
      interrupt.next();
      const run = await running;
      expect(run.code, run.stderr).to.equal(130);
      expect(summary(run.stderr)).to.include({ delivered: 0, failed: 0, records: 0, lines: 0 });
      expect(await stored(stream)).to.deep.equal([]);
    });
  });
});
