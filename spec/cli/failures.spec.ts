/**
 * The `--failures` file of the command: never the input, whatever its spelling.
 */
import { link, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { cli, killCommands, stored } from '../support/command.js';
import type { ChildOptions } from '../support/command.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';

describe('the --failures file of the command', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rxjs-kinesis-failures-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(killCommands);

  describe('naming the input is refused (exit 2) before anything is opened for writing: the input is left as it was', () => {
    const events = '{"id":1}\n{"id":2}\n';
    let stream: string;

    beforeEach(async () => {
      stream = uniqueStreamName('cli-same-file');
      await localKinesis().createStream(stream, 1);
      await writeFile(join(dir, 'events.ndjson'), events);
    });

    /** Runs the command in `dir` with `args`; expects the refusal, and the input and the stream untouched. */
    async function refused(args: readonly string[], options: ChildOptions = {}): Promise<string> {
      const run = await cli(['--stream-name', stream, '--endpoint-url', localKinesis().endpoint, ...args], { cwd: dir, ...options });
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr.trimEnd().split('\n'), run.stderr).to.have.length(1);
      expect(run.stderr).to.match(/^rxjs-kinesis: --failures: '.*' is the input/);
      expect(await readFile(join(dir, 'events.ndjson'), 'utf8')).to.equal(events);
      expect(await stored(stream)).to.deep.equal([]);
      return run.stderr;
    }

    it('the same name', async () => {
      await refused(['--input', 'events.ndjson', '--failures', 'events.ndjson']);
    });

    it('another spelling (./, an absolute path)', async () => {
      await refused(['--input', 'events.ndjson', '--failures', './events.ndjson']);
      await refused(['--input', join(dir, '.', 'events.ndjson'), '--failures', `${dir}/../${dir.split('/').pop()}/events.ndjson`]);
    });

    it('a symbolic link to it, a hard link to it', async () => {
      await symlink(join(dir, 'events.ndjson'), join(dir, 'symlink.ndjson'));
      await link(join(dir, 'events.ndjson'), join(dir, 'hardlink.ndjson'));
      await refused(['--input', 'events.ndjson', '--failures', 'symlink.ndjson']);
      await refused(['--input', 'hardlink.ndjson', '--failures', 'events.ndjson']);
      await rm(join(dir, 'symlink.ndjson'));
      await rm(join(dir, 'hardlink.ndjson'));
    });

    it('the file given as stdin (< events.ndjson)', async () => {
      const input = await open(join(dir, 'events.ndjson'), 'r');
      try {
        const message = await refused(['--failures', 'events.ndjson'], { stdin: { fd: input.fd } });
        expect(message).to.include('stdin');
      } finally {
        await input.close();
      }
    });
  });
});
