/**
 * The published package works: `npm pack`, install the tarball into an empty project with rxjs,
 * import it (ESM and require), type-check a consumer, and send records to kinesalite with it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { localKinesis, uniqueStreamName } from './support/hooks.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the npm package', function () {
  this.timeout(240_000);
  let project: string;

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'rxjs-kinesis-consumer-'));
    await run(npm, ['pack', '--pack-destination', project], { cwd: root });
    const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz'));
    expect(tarball, 'npm pack wrote no tarball').to.be.a('string');
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`, 'rxjs@7'], { cwd: project });
  });

  after(async () => {
    if (project !== undefined) await rm(project, { recursive: true, force: true });
  });

  it('ships only the build, the README and the manifest', async () => {
    const { stdout } = await run(npm, ['pack', '--dry-run', '--json'], { cwd: root });
    const [{ files }] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    expect(paths).to.include.members(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']);
    expect(paths.filter((p) => !p.startsWith('dist/') && !['package.json', 'README.md'].includes(p))).to.deep.equal([]);
  });

  it('sends records to Kinesis when imported as an ES module', async () => {
    const { endpoint, credentials } = localKinesis();
    const stream = uniqueStreamName('package');
    await localKinesis().createStream(stream, 1);
    const script = `
      import { from } from 'rxjs';
      import { toKinesis } from 'rxjs-kinesis';
      const [endpoint, streamName, accessKeyId, secretAccessKey] = process.argv.slice(2);
      from(['one', 'two', 'three'])
        .pipe(toKinesis({ streamName, endpoint, credentials: { accessKeyId, secretAccessKey } }))
        .subscribe((result) => console.log(JSON.stringify({ sent: result.successfulRecordCount, failed: result.failedRecordCount })));
    `;
    await writeFile(join(project, 'send.mjs'), script);
    const { stdout } = await run(process.execPath, ['--no-warnings', 'send.mjs', endpoint, stream, credentials.accessKeyId, credentials.secretAccessKey], { cwd: project });
    expect(JSON.parse(stdout)).to.deep.equal({ sent: 3, failed: 0 });
    const stored = await localKinesis().readStream(stream);
    expect(stored.map((r) => Buffer.from(r.data).toString())).to.deep.equal(['one', 'two', 'three']);
  });

  it('installs the rxjs-kinesis command, which runs', async () => {
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'rxjs-kinesis'), ['--help'], { cwd: project });
    expect(stdout).to.match(/^Usage: rxjs-kinesis /);
  });

  it('loads with require() too', async () => {
    const { stdout } = await run(process.execPath, ['--no-warnings', '-e', "console.log(typeof require('rxjs-kinesis').toKinesis)"], { cwd: project });
    expect(stdout.trim()).to.equal('function');
  });

  it('type-checks a consumer against its declarations', async () => {
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['consumer.ts'] }),
    );
    await writeFile(
      join(project, 'consumer.ts'),
      `
      import { of } from 'rxjs';
      import { toKinesis, KinesisConfigError, MAX_RECORDS_PER_REQUEST } from 'rxjs-kinesis';
      import type { KinesisBatchResult } from 'rxjs-kinesis';
      interface Order { customer_id: string; total: number }
      const results = of<Order>({ customer_id: 'c1', total: 3 }).pipe(
        toKinesis({ streamName: 'orders', partitionKey: (order) => order.customer_id, batch: { size: MAX_RECORDS_PER_REQUEST, duration: '250ms' } }),
      );
      results.subscribe((result: KinesisBatchResult<Order>) => result.records.forEach((r) => r.item.total));
      export const isConfigError = (e: unknown): boolean => e instanceof KinesisConfigError;
      `,
    );
    await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: project });
  });

  it('type-checks a CommonJS consumer with module nodenext, and not with node16 (TS1479), as the README says', async () => {
    await writeFile(join(project, 'consumer.cts'), "import { toKinesis } from 'rxjs-kinesis';\nexport const operator = toKinesis({ streamName: 'orders' });\n");
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const options = (module: string) => ['--module', module, '--moduleResolution', module, '--target', 'es2022', '--strict', '--noEmit', '--skipLibCheck', 'consumer.cts'];
    await run(process.execPath, [tsc, ...options('nodenext')], { cwd: project });
    const refused = await run(process.execPath, [tsc, ...options('node16')], { cwd: project }).then(
      () => '',
      (error: unknown) => String((error as { stdout?: string }).stdout ?? error),
    );
    expect(refused).to.include('TS1479');
  });
});
