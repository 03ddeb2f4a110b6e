/**
 * The `rxjs-kinesis` command for the specs: run as a user runs it (a child process: node with tsx
 * from the sources, or the installed bin), or in this process through `runCli`; and what its
 * output and the stream say afterwards.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { Observable } from 'rxjs';
import { localKinesis } from './hooks.js';
import { runCli } from '../../lib/cli/run.js';

/** The repository's root. */
export const root = resolve(import.meta.dirname, '../..');

/** The command's entry point in the sources. */
export const mainModule = join(root, 'lib', 'cli', 'main.ts');

/**
 * The command from the sources, with tsx (found from here, so that the command can run in any
 * folder), and without `npm run cli`'s `--no-warnings`: every warning the command lets through is
 * seen.
 */
export const FROM_SOURCES: readonly string[] = [process.execPath, '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, mainModule];

/** What a run of the command left. */
export interface Run {
  readonly code: number | null;
  readonly signal?: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to start a child run. */
export interface ChildOptions {
  /** Its stdin: text or bytes written to a pipe (then closed), or an open file descriptor (`< file`). Default: empty. */
  readonly stdin?: string | Buffer | { readonly fd: number };
  /** Leave the stdin pipe open after its text (the command waits for more lines). */
  readonly keepStdinOpen?: boolean;
  /** Added to a clean environment (no AWS settings from the machine; dummy keys and region). */
  readonly env?: Readonly<Record<string, string>>;
  /** Replaces the clean environment altogether (for runs without keys). */
  readonly bareEnv?: Readonly<Record<string, string>>;
  /** Given the process once started (to signal it). */
  readonly started?: (child: ChildProcess) => void;
  /** The program and its first arguments. Default {@link FROM_SOURCES}. */
  readonly command?: readonly string[];
  /** Its working directory. Default: the repository's root. */
  readonly cwd?: string;
}

/** The commands started and not yet exited: {@link killCommands} kills them after each test, so that a test that times out leaves none retrying. */
const children = new Set<ChildProcess>();

/** Kills every command still running (an `afterEach` hook). */
export function killCommands(): void {
  for (const child of children) child.kill('SIGKILL');
}

/**
 * Runs the command in a child process.
 *
 * @param args - Its arguments.
 * @param options - Its stdin, environment, program.
 * @returns Its exit code (or signal) and output, once it has exited.
 */
export function cli(args: readonly string[], options: ChildOptions = {}): Promise<Run> {
  const [program, ...first] = options.command ?? FROM_SOURCES;
  const stdin = options.stdin ?? '';
  const child = spawn(program!, [...first, ...args], {
    cwd: options.cwd ?? root,
    timeout: 180_000, // longer than any test: a last guard if the afterEach hook does not run
    stdio: [typeof stdin === 'object' && 'fd' in stdin ? stdin.fd : 'pipe', 'pipe', 'pipe'],
    env: options.bareEnv ?? { PATH: process.env['PATH'] ?? '', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', ...options.env },
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  if (child.stdin !== null) {
    child.stdin.on('error', () => undefined); // the command may exit before reading (a usage error)
    if (options.keepStdinOpen === true) child.stdin.write(stdin);
    else child.stdin.end(stdin);
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  options.started?.(child);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }));
  });
}

/** How to run the command in this process. */
export interface InProcessOptions {
  /** Its stdin; default: a stream that must not be read. */
  readonly stdin?: Readable;
  /** Its interrupts (what the process's signals are in `main.ts`). */
  readonly interrupt?: Observable<unknown>;
  /** Where its stderr lines go (to look at them while it runs). */
  readonly stderr?: string[];
}

/**
 * Runs the command in this process (same code but for the process entry point and its signals).
 *
 * @param args - Its arguments.
 * @param env - Its environment (for `${VAR}`s; the SDK reads the process's own).
 * @param options - Its stdin, interrupts and stderr.
 * @returns Its exit code and output.
 */
export async function cliInProcess(args: readonly string[], env: Record<string, string> = {}, options: InProcessOptions = {}): Promise<Run> {
  let stdout = '';
  const stderr = options.stderr ?? [];
  const code = await runCli(args, {
    stdin: options.stdin ?? Readable.from([Buffer.from('never read\n')]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env,
    ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
  });
  return { code, stdout, stderr: stderr.join('') };
}

/** Waits until `condition` holds (no upper bound but the test's timeout). */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(20);
}

/** The records of a stream of the in-process kinesalite: data and partition key, in sequence order (one shard). */
export async function stored(stream: string): Promise<{ data: Buffer; key: string }[]> {
  return (await localKinesis().readStream(stream)).map((record) => ({ data: Buffer.from(record.data), key: record.partitionKey }));
}

/** A number as the command writes it (`1,200`). */
const count = (text: string): number => Number(text.replaceAll(',', ''));

/** The numbers of the summary line. */
export interface Summary {
  readonly delivered: number;
  readonly failed: number;
  /** Records read and never sent (the run stopped at an error that no retry could fix). */
  readonly notSent: number;
  /** Records read whose outcome is unknown (the run was stopped at once). */
  readonly noOutcome: number;
  /** Records read (lines with bytes). */
  readonly records: number;
  /** Lines read (empty ones included). */
  readonly lines: number;
  readonly peak: number;
  readonly peakBytes: number;
  readonly bound: number;
  readonly boundBytes: number;
}

/**
 * The numbers in the summary line.
 *
 * @param stderr - The command's stderr.
 * @returns The counts; fails the test when there is no summary.
 */
export function summary(stderr: string): Summary {
  const match =
    /([\d,]+) delivered, ([\d,]+) failed(?: \([^)]*\))?(?:, ([\d,]+) not sent)?(?:, ([\d,]+) with no outcome)?, of ([\d,]+) records from ([\d,]+) lines.*at most ([\d,]+) records \(([\d,]+) bytes\) waited, bound ([\d,]+) records and ([\d,]+) bytes/.exec(
      stderr,
    );
  expect(match, `no summary in: ${stderr}`).to.not.equal(null);
  const [delivered, failed, notSent, noOutcome, records, lines, peak, peakBytes, bound, boundBytes] = match!.slice(1).map((text) => count(text ?? '0'));
  return { delivered: delivered!, failed: failed!, notSent: notSent!, noOutcome: noOutcome!, records: records!, lines: lines!, peak: peak!, peakBytes: peakBytes!, bound: bound!, boundBytes: boundBytes! };
}

/** A spec's temporary folder (made before its tests, deleted after them), and the command's flags for it. */
export interface SpecFolder {
  /** The folder. */
  readonly path: string;
  /** The flags of an in-process run that sends: a pipeline file with the local region and keys (the SDK reads the process's environment, not the run's). */
  readonly local: string[];
}

/**
 * Makes a temporary folder for the specs of the `describe` it is called in, with a pipeline file
 * for in-process runs, and kills the commands still running after each test.
 *
 * @param prefix - The start of the folder's name.
 * @returns The folder, once the `before` hook has run.
 */
export function specFolder(prefix: string): SpecFolder {
  let path = '';
  before(async () => {
    path = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(path, 'local.yaml'), 'output:\n  aws_kinesis: { region: us-east-1, credentials: { access_key_id: local, secret_access_key: local } }\n');
  });
  after(async () => {
    if (path !== '') await rm(path, { recursive: true, force: true });
  });
  afterEach(killCommands);
  return {
    get path() {
      return path;
    },
    get local() {
      return ['--config', join(path, 'local.yaml')];
    },
  };
}
