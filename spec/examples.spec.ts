/**
 * The demo and every example run as a user runs them (`npm start`, `npm run example -- <name>`),
 * each against its own embedded kinesalite, and exit 0.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const examples = readdirSync(resolve(root, 'examples'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !['run.ts', 'demo.ts'].includes(file))
  .map((file) => file.slice(0, -3));
const env = { ...process.env, KINESIS_ENDPOINT: '' };

describe('the demo and the examples', function () {
  this.timeout(120_000);

  it('has the pipeline configurations as examples', () => {
    expect(examples).to.include.members(['basic', 'partition-key', 'credentials', 'batching', 'high-throughput', 'localstack', 'cross-account']);
    expect(examples).to.include.members(['filter-map', 'group-by', 'merge-sources', 'readable-backpressure']);
  });

  it('npm start sends events, reads every one back, and says so', async () => {
    const { stdout } = await run(npm, ['start', '--silent', '--', '--records', '3000'], { cwd: root, env });
    expect(stdout).to.match(/OK: all 3,000 records delivered and read back/);
  });

  for (const name of examples) {
    it(`npm run example -- ${name} runs and exits 0`, async () => {
      const { stdout } = await run(npm, ['run', '--silent', 'example', '--', name], { cwd: root, env });
      expect(stdout.length).to.be.greaterThan(0);
    });
  }

  it('lists the examples and exits 2 for an unknown one', async () => {
    const error = await run(npm, ['run', '--silent', 'example', '--', 'nope'], { cwd: root, env }).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('code', 2);
    for (const name of examples) expect((error as { stderr: string }).stderr).to.include(name);
  });
});
