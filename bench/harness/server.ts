/**
 * The runner's handle on the null Kinesis endpoint (`bench/harness/nullKinesis.ts`), which runs in a
 * child process of its own.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerCommand, ServerReady, ServerReply, ServerStats } from './nullKinesis.js';

/** How the benchmark's children run TypeScript. */
const TS_EXEC_ARGV = ['--no-warnings=NodeVersionSupportWarning', '--import', 'tsx'];

/**
 * Forks a TypeScript module of the benchmark as a child process with an IPC channel, its output
 * on this process's.
 *
 * @param module - The module's URL (`new URL('./x.ts', import.meta.url)`).
 * @returns The child.
 */
export function forkTypeScript(module: URL): ChildProcess {
  return fork(fileURLToPath(module), [], { execArgv: TS_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** A running null Kinesis endpoint. */
export interface NullKinesis {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Sets the delay before each answer. */
  setDelay(delayMs: number): Promise<void>;
  /** Zeroes the counters. */
  reset(): Promise<void>;
  /** The counters since the last reset. */
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

/**
 * Forks the null Kinesis endpoint and waits for its port.
 *
 * @returns The running endpoint and its controls.
 */
export async function startNullKinesis(): Promise<NullKinesis> {
  const child = forkTypeScript(new URL('./nullKinesis.ts', import.meta.url));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the null Kinesis process exited (${code}) before listening`)));
    child.once('message', (message: ServerReady) => resolve(message.port));
  });
  child.removeAllListeners('exit');

  let nextId = 0;
  const pending = new Map<number, (stats: ServerStats) => void>();
  child.on('message', (message: ServerReply) => {
    if (message.type !== 'reply') return;
    pending.get(message.id)?.(message.stats);
    pending.delete(message.id);
  });
  child.on('exit', (code) => {
    if (pending.size > 0) console.error(`the null Kinesis process exited (${code}) with ${pending.size} commands unanswered`);
  });
  const command = (body: { command: 'reset' } | { command: 'stats' } | { command: 'delay'; delayMs: number }): Promise<ServerStats> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const message: ServerCommand = { ...body, id };
      child.send(message);
    });

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setDelay: async (delayMs) => void (await command({ command: 'delay', delayMs })),
    reset: async () => void (await command({ command: 'reset' })),
    stats: () => command({ command: 'stats' }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
