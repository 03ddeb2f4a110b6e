#!/usr/bin/env node
// @ts-check
/**
 * Runs the test suite (mocha) under other Node.js versions than the one on PATH.
 *
 *   npm run test:node -- 22              the newest 22.x on the npm registry
 *   npm run test:node -- 22 24           each in turn
 *   npm run test:node -- 24.22.3         that exact version
 *   npm run test:node -- 22 --grep kpl   extra arguments go to mocha (.mocharc.json still applies)
 *
 * Node itself comes from the npm registry package node-<platform>-<arch> (the binary is in the
 * package; no install script, no download from anywhere else), installed with npm into a cache
 * outside the project: $XDG_CACHE_HOME/rxjs-kinesis/node/<version>, or ~/.cache/... . A cached
 * version is reused; older patch releases of the same major are removed once a newer one is in.
 *
 * Mocha runs on that binary, and its folder comes first on PATH, so whatever the tests start
 * (`process.execPath`, `node`, `npm`, `npx` and the scripts npm runs) runs on it too; a check
 * before the suite makes sure of that. The project's node_modules are used as installed (by
 * `npm ci` on the machine's Node): none of them has a native addon built for one Node ABI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rxjs-kinesis', 'node');
const say = (/** @type {string} */ line) => console.error(`test:node: ${line}`);

/** @param {string} version */
const parse = (version) => version.split('.').map(Number);
/** @param {string} a @param {string} b */
const compare = (a, b) => {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
/** @param {string} wanted @param {string} version */
const matches = (wanted, version) => version === wanted || version.startsWith(`${wanted}.`);

/** Where version's binary is once installed. @param {string} version */
function binaryOf(version) {
  const dir = join(cacheRoot, version, 'node_modules', pkg);
  return process.platform === 'win32' ? join(dir, 'node.exe') : join(dir, 'bin', 'node');
}

/** The versions in the cache that match wanted, newest first. @param {string} wanted */
function cached(wanted) {
  if (!existsSync(cacheRoot)) return [];
  return readdirSync(cacheRoot)
    .filter((name) => /^\d+\.\d+\.\d+$/.test(name) && matches(wanted, name) && existsSync(binaryOf(name)))
    .sort(compare)
    .reverse();
}

/**
 * The newest release on the registry that matches wanted ("22", "22.23" or "22.23.5"); without
 * the registry, the newest one in the cache. @param {string} wanted
 */
function resolveVersion(wanted) {
  const view = spawnSync(npm, ['view', `${pkg}@${wanted}`, 'version', '--json'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (view.status === 0 && view.stdout.trim() !== '') {
    /** @type {string | string[]} */
    const listed = JSON.parse(view.stdout);
    const releases = (Array.isArray(listed) ? listed : [listed]).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && matches(wanted, v)).sort(compare);
    const newest = releases.at(-1);
    if (newest !== undefined) return newest;
  }
  const [fallback] = cached(wanted);
  if (fallback !== undefined) {
    say(`could not ask the registry for ${pkg}@${wanted}; using ${fallback} from the cache`);
    return fallback;
  }
  throw new Error(`no release of ${pkg} matches ${wanted} (npm view: ${(view.stderr || view.error?.message || '').trim().split('\n')[0]})`);
}

/** Installs version into the cache unless it is there; returns its binary. @param {string} version */
function install(version) {
  const binary = binaryOf(version);
  if (existsSync(binary)) {
    say(`Node ${version}: from the cache, ${dirname(binary)}`);
    return binary;
  }
  mkdirSync(cacheRoot, { recursive: true });
  // Into a folder of its own first, then renamed: a cut install never looks like a cached one.
  const partial = join(cacheRoot, `.partial-${version}-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  say(`Node ${version}: installing ${pkg}@${version} into ${join(cacheRoot, version)}`);
  const started = Date.now();
  const installed = spawnSync(npm, ['install', '--prefix', partial, '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${version}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (installed.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`npm install ${pkg}@${version} failed (exit ${installed.status})`);
  }
  rmSync(join(cacheRoot, version), { recursive: true, force: true });
  renameSync(partial, join(cacheRoot, version));
  say(`Node ${version}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Older patch releases of the same major are not needed any more (each is ~190 MB).
  const major = version.split('.')[0] ?? version;
  for (const old of cached(major)) if (compare(old, version) < 0) rmSync(join(cacheRoot, old), { recursive: true, force: true });
  return binary;
}

/**
 * The environment for the suite: binary's folder first on PATH. Before the suite, `node` from
 * PATH, `node` started by npm (as `npm start` does in the examples spec) and the binary itself
 * must all say the same version. @param {string} binary @param {string} version
 */
function environment(binary, version) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
  // npm started from here would otherwise pass its own node's settings down to the scripts.
  delete env.npm_node_execpath;
  delete env.NODE;
  const probe = 'process.stdout.write(process.version)';
  const seen = {
    binary: spawnSync(binary, ['-e', probe], { env, encoding: 'utf8' }).stdout,
    'node on PATH': spawnSync('node', ['-e', probe], { env, encoding: 'utf8', shell: process.platform === 'win32' }).stdout,
    'node under npm': spawnSync(npm, ['exec', '--yes=false', '-c', `node -e "${probe}"`], { cwd: root, env, encoding: 'utf8', shell: process.platform === 'win32' }).stdout,
  };
  const wrong = Object.entries(seen).filter(([, seenVersion]) => seenVersion.trim() !== `v${version}`);
  if (wrong.length > 0) throw new Error(`not every node is ${version}: ${wrong.map(([who, v]) => `${who} is ${v.trim() || 'unknown'}`).join(', ')}`);
  return env;
}

/**
 * Runs mocha (the project's .mocharc.json) on binary; its output goes through, and the closing
 * counts are read from it. @param {string} binary @param {NodeJS.ProcessEnv} env
 * @param {string[]} mochaArgs @returns {Promise<{ code: number, passed: number, failed: number, pending: number, seconds: number }>}
 */
function mocha(binary, env, mochaArgs) {
  const started = Date.now();
  const color = process.stdout.isTTY && !mochaArgs.some((a) => /^--(no-)?colors?$/.test(a)) ? ['--color'] : [];
  const child = spawn(binary, [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...color, ...mochaArgs], { cwd: root, env, stdio: ['inherit', 'pipe', 'inherit'] });
  let tail = '';
  child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => {
      // eslint-disable-next-line no-control-regex
      const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (/** @type {string} */ word) => Number(new RegExp(`^\\s*(\\d+) ${word}`, 'm').exec(plain)?.[1] ?? 0);
      done({ code: code ?? (signal ? 128 : 1), passed: count('passing'), failed: count('failing'), pending: count('pending'), seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  const wanted = [];
  while (args.length > 0 && /^\d+(\.\d+){0,2}$/.test(args[0] ?? '')) wanted.push(/** @type {string} */ (args.shift()));
  if (args[0] === '--') args.shift();
  if (wanted.length === 0) {
    say('usage: npm run test:node -- <major or version>... [mocha arguments]   e.g. npm run test:node -- 22 24');
    return 2;
  }
  /** @type {string[]} */
  const summary = [];
  let worst = 0;
  for (const want of wanted) {
    const version = resolveVersion(want);
    const binary = install(version);
    const env = environment(binary, version);
    say(`Node ${version}: mocha ${args.join(' ')}`.trimEnd());
    const run = await mocha(binary, env, args);
    say(`Node ${version}: mocha exited ${run.code} after ${run.seconds.toFixed(0)} s`);
    summary.push(`node-${version}: ${run.passed} passed, ${run.failed} failed${run.pending > 0 ? `, ${run.pending} skipped` : ''}`);
    if (run.code !== 0) worst = run.code;
  }
  // One closing line per version, e.g. "node-24.22.3: 229 passed, 0 failed".
  for (const line of summary) console.log(line);
  return worst;
}

main().then(
  (code) => process.exit(code),
  (/** @type {unknown} */ error) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
