/**
 * The installed command (the packed tarball's bin, run by `node` with no flags, as a user runs
 * it): its process entry point, `lib/cli/main.ts`, built.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { cli, killCommands, stored } from '../support/command.js';
import { localKinesis, uniqueStreamName } from '../support/hooks.js';
import { installPackedPackage } from '../support/installedPackage.js';
import type { InstalledPackage } from '../support/installedPackage.js';

describe('the installed rxjs-kinesis command', function () {
  this.timeout(240_000);
  let installed: InstalledPackage;

  before(async () => {
    installed = await installPackedPackage('rxjs-kinesis-bin-');
  });

  after(async () => {
    await installed?.remove();
  });

  afterEach(killCommands);

  it('prints no AWS SDK NodeVersionSupportWarning (on Node 20 the SDK prints it when the first client is made); other warnings still print', async () => {
    const stream = uniqueStreamName('cli-bin');
    await localKinesis().createStream(stream, 1);
    // A warning of another kind, emitted while the command runs: it must still be printed.
    const preload = join(installed.project, 'other-warning.cjs');
    await writeFile(preload, "setTimeout(() => process.emitWarning('a warning of another kind', 'SpecWarning'), 10);\n");
    const run = await cli(['--stream-name', stream, '--endpoint-url', localKinesis().endpoint, '--batch-duration', '100ms'], {
      command: [installed.bin('rxjs-kinesis')],
      cwd: installed.project,
      stdin: 'one\ntwo\n',
      env: { NODE_OPTIONS: `--require ${preload}` },
    });
    expect(run.code, run.stderr).to.equal(0);
    expect((await stored(stream)).map((record) => record.data.toString())).to.deep.equal(['one', 'two']);
    expect(run.stderr).to.not.include('NodeVersionSupportWarning');
    expect(run.stderr).to.include('SpecWarning: a warning of another kind');
  });
});
