/**
 * The `--failures` file of the command: every failed line with its text, ready to be sent again;
 * never the input, whatever its spelling.
 */
import { execFile } from 'node:child_process';
import { link, open, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { cli, root, specFolder, stored } from '../support/command.js';
import type { ChildOptions } from '../support/command.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';

const execFileAsync = promisify(execFile);

describe('the --failures file of the command', function () {
  this.timeout(60_000);
  const folder = specFolder('rxjs-kinesis-failures-');

  it('holds each failed line\'s text ("data", or "dataBase64" when it is not UTF-8): the guide\'s jq one-liners make it a file to send again', async function () {
    const stream = uniqueStreamName('cli-data');
    await localKinesis().createStream(stream, 1);
    const lines = [
      Buffer.from('{"id":"a"}'),
      Buffer.from('not json, caf\u00e9 \u2028 \t "quoted" \\ \r'),
      Buffer.from([0xff, 0xfe, 0x41, 0x7b]),
      Buffer.from('{"other":1}'),
      Buffer.from(`{"id":"big","pad":"${'x'.repeat(1024 * 1024)}"}`),
    ];
    const failures = join(folder.path, 'with-data.ndjson');
    const run = await cli(['--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--partition-key', 'id', '--failures', failures], {
      stdin: Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])),
    });
    expect(run.code, run.stderr).to.equal(1);
    const entries = (await readFile(failures, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // In the order the outcomes came: a line refused before the operator comes before the failures of an earlier batch.
    entries.sort((a, b) => Number(a['line']) - Number(b['line']));
    expect(entries.map(({ line, errorCode, data, dataBase64 }) => ({ line, errorCode, data, dataBase64 }))).to.deep.equal([
      { line: 2, errorCode: 'InvalidPartitionKey', data: lines[1]!.toString('utf8'), dataBase64: undefined },
      { line: 3, errorCode: 'InvalidPartitionKey', data: undefined, dataBase64: lines[2]!.toString('base64') },
      { line: 4, errorCode: 'InvalidPartitionKey', data: lines[3]!.toString('utf8'), dataBase64: undefined },
      // Only the first bytes of a line over the limit were kept: no data, it cannot be sent anyway.
      { line: 5, errorCode: 'RecordTooLarge', data: undefined, dataBase64: undefined },
    ]);

    // The guide's one-liners, run as written there, in the folder of the file.
    const guide = await readFile(join(root, 'docs', 'guides', 'command-line.md'), 'utf8');
    const text = "jq -r '.data // empty' failed.ndjson > resend.ndjson";
    const binary = "jq -r '.dataBase64 // empty' failed.ndjson | while read -r b; do printf '%s' \"$b\" | base64 -d; echo; done >> resend.ndjson";
    expect(guide).to.include(text).and.to.include(binary);
    await rename(failures, join(folder.path, 'failed.ndjson'));
    await execFileAsync('sh', ['-c', `${text} && ${binary}`], { cwd: folder.path });
    const resend = await readFile(join(folder.path, 'resend.ndjson'));
    expect(resend.at(-1)).to.equal(0x0a);
    const resent = [];
    for (let start = 0, end = resend.indexOf(0x0a); end !== -1; start = end + 1, end = resend.indexOf(0x0a, start)) resent.push(resend.subarray(start, end).toString('hex'));
    expect(resent.sort()).to.deep.equal([lines[1]!, lines[2]!, lines[3]!].map((line) => line.toString('hex')).sort());
  });

  describe('naming the input is refused (exit 2) before anything is opened for writing: the input is left as it was', () => {
    const events = '{"id":1}\n{"id":2}\n';
    let stream: string;

    beforeEach(async () => {
      stream = uniqueStreamName('cli-same-file');
      await localKinesis().createStream(stream, 1);
      await writeFile(join(folder.path, 'events.ndjson'), events);
    });

    /** Runs the command in `folder.path` with `args`; expects the refusal, and the input and the stream untouched. */
    async function refused(args: readonly string[], options: ChildOptions = {}): Promise<string> {
      const run = await cli(['--stream-name', stream, '--endpoint-url', localKinesis().endpoint, ...args], { cwd: folder.path, ...options });
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr.trimEnd().split('\n'), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/^rxjs-kinesis: --failures: '.*' is the input/);
      expect(await readFile(join(folder.path, 'events.ndjson'), 'utf8')).to.equal(events);
      expect(await stored(stream)).to.deep.equal([]);
      return run.stderr;
    }

    it('the same name', async () => {
      await refused(['--input', 'events.ndjson', '--failures', 'events.ndjson']);
    });

    it('another spelling (./, an absolute path)', async () => {
      await refused(['--input', 'events.ndjson', '--failures', './events.ndjson']);
      await refused(['--input', join(folder.path, '.', 'events.ndjson'), '--failures', `${folder.path}/../${folder.path.split('/').pop()}/events.ndjson`]);
    });

    it('a symbolic link to it, a hard link to it', async () => {
      await symlink(join(folder.path, 'events.ndjson'), join(folder.path, 'symlink.ndjson'));
      await link(join(folder.path, 'events.ndjson'), join(folder.path, 'hardlink.ndjson'));
      await refused(['--input', 'events.ndjson', '--failures', 'symlink.ndjson']);
      await refused(['--input', 'hardlink.ndjson', '--failures', 'events.ndjson']);
      await rm(join(folder.path, 'symlink.ndjson'));
      await rm(join(folder.path, 'hardlink.ndjson'));
    });

    it('the file given as stdin (< events.ndjson)', async () => {
      const input = await open(join(folder.path, 'events.ndjson'), 'r');
      try {
        const message = await refused(['--failures', 'events.ndjson'], { stdin: { fd: input.fd } });
        expect(message).to.include('stdin');
      } finally {
        await input.close();
      }
    });
  });
});
