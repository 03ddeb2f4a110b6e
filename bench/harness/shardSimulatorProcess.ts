/**
 * The shard-capacity simulator (`spec/support/shardSimulator.ts`) in a child process of the
 * benchmark, so that its CPU is not counted as the producers'. It starts with the simulator's
 * defaults (1,000 records/s and 1 MiB/s per shard, no faults), sends `{ type: 'ready', endpoint }`
 * over IPC, then runs each {@link SimulatorCall} (a method of `ShardSimulatorControls`, its
 * arguments as JSON) and answers with a {@link SimulatorReply}.
 *
 * Started by `bench/harness/simulator.ts`; `node --import tsx bench/harness/shardSimulatorProcess.ts`
 * starts one alone and prints its endpoint.
 */
import { startShardSimulator } from '../../spec/support/shardSimulator.js';
import type { ShardSimulatorControls } from '../../spec/support/shardSimulator.js';

/** The controls that can be called over IPC: all but `records` (its data would not survive JSON; read back with `GetRecords`). */
export type RemoteControlName = Exclude<keyof ShardSimulatorControls, 'records'>;

/** A call from the benchmark: a control and its arguments. */
export interface SimulatorCall {
  readonly id: number;
  readonly method: RemoteControlName;
  readonly args: readonly unknown[];
}

/** The answer to a call: its result, or the message of the error it threw. */
export type SimulatorReply = { readonly type: 'reply'; readonly id: number } & ({ readonly result: unknown } | { readonly error: string });

/** The first message of the simulator. */
export interface SimulatorReady {
  readonly type: 'ready';
  readonly endpoint: string;
}

const simulator = await startShardSimulator();

process.on('message', (call: SimulatorCall) => {
  let reply: SimulatorReply;
  try {
    const control = simulator[call.method] as (...args: readonly unknown[]) => unknown;
    reply = { type: 'reply', id: call.id, result: control(...call.args) ?? null };
  } catch (error) {
    reply = { type: 'reply', id: call.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  process.send!(reply);
});
process.on('disconnect', () => void simulator.close().finally(() => process.exit(0)));

const ready: SimulatorReady = { type: 'ready', endpoint: simulator.endpoint };
if (process.send) process.send(ready);
else console.log(`shard simulator on ${simulator.endpoint}`);
