/**
 * The benchmark's handle on the shard-capacity simulator, which runs in a child process of its own
 * (`bench/harness/shardSimulatorProcess.ts`): every control of the in-process simulator but
 * `records`, made asynchronous.
 */
import { once } from 'node:events';
import type { ShardSimulatorControls } from '../../spec/support/shardSimulator.js';
import { forkTypeScript } from './server.js';
import type { RemoteControlName, SimulatorCall, SimulatorReady, SimulatorReply } from './shardSimulatorProcess.js';

/** A control of the simulator, called over IPC: the same arguments (JSON: a hash key as a decimal string), its result as a promise. */
type Remote<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** A shard simulator running in a child process. */
export type RemoteShardSimulator = { readonly [K in RemoteControlName]: Remote<ShardSimulatorControls[K]> } & {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Ends the child process. */
  close(): Promise<void>;
};

/** Every control that can be called over IPC (the type makes the list complete). */
const CONTROLS = Object.keys({
  createStream: true,
  deleteStream: true,
  splitShard: true,
  mergeShards: true,
  shards: true,
  stats: true,
  configure: true,
  reset: true,
} satisfies Record<RemoteControlName, true>) as RemoteControlName[];

/**
 * Forks the simulator and waits for its endpoint.
 *
 * @returns The running simulator and its controls.
 */
export async function startRemoteShardSimulator(): Promise<RemoteShardSimulator> {
  const child = forkTypeScript(new URL('./shardSimulatorProcess.ts', import.meta.url));
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`the shard simulator process exited (${code}) before listening`)));
  const [{ endpoint }] = (await Promise.race([once(child, 'message'), exited])) as [SimulatorReady];

  let nextId = 0;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (reply: SimulatorReply) => {
    if (reply.type !== 'reply') return;
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if ('error' in reply) waiting?.reject(new Error(reply.error));
    else waiting?.resolve(reply.result);
  });
  child.on('exit', (code) => {
    for (const { reject } of pending.values()) reject(new Error(`the shard simulator process exited (${code})`));
    pending.clear();
  });
  const call = (method: RemoteControlName, args: readonly unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const message: SimulatorCall = { id, method, args };
      child.send(message);
    });

  const controls = Object.fromEntries(CONTROLS.map((method) => [method, (...args: unknown[]) => call(method, args)]));
  return {
    ...(controls as { [K in RemoteControlName]: Remote<ShardSimulatorControls[K]> }),
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
