/** Stand-ins for the service in unit specs: its errors, its shards, and a caller's client. */
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';

/** An error shaped like the SDK's service exceptions: its name, its fault, and its HTTP status when given. */
export function serviceError(name: string, fault: 'client' | 'server' = 'client', status?: number): Error {
  return Object.assign(new Error(`${name} (stub)`), { name, $fault: fault }, status === undefined ? {} : { $metadata: { httpStatusCode: status } });
}

/** The size of the hash key space: 2^128. */
export const TOP = 2n ** 128n;

/** `count` open shards splitting the hash key space evenly (as CreateStream does), plus a closed parent. */
export function evenShards(count: number): Shard[] {
  const open = Array.from({ length: count }, (_, i): Shard => ({
    ShardId: `shard-${i}`,
    HashKeyRange: { StartingHashKey: String((TOP / BigInt(count)) * BigInt(i)), EndingHashKey: String(i === count - 1 ? TOP - 1n : (TOP / BigInt(count)) * BigInt(i + 1) - 1n) },
    SequenceNumberRange: { StartingSequenceNumber: '1' },
  }));
  const closed: Shard = { ShardId: 'shard-closed', HashKeyRange: { StartingHashKey: '0', EndingHashKey: String(TOP - 1n) }, SequenceNumberRange: { StartingSequenceNumber: '0', EndingSequenceNumber: '1' } };
  return [closed, ...open.reverse()];
}

/** A shard `shardId-<id>` with its parents, open or closed. */
export const shard = (id: number, parents: number[] = [], closed = false): Shard => ({
  ShardId: `shardId-${id}`,
  ...(parents[0] === undefined ? {} : { ParentShardId: `shardId-${parents[0]}` }),
  ...(parents[1] === undefined ? {} : { AdjacentParentShardId: `shardId-${parents[1]}` }),
  HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
  SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '2' } : {}) },
});

/** A stand-in for a caller's KinesisClient: `send` answers; `destroyed` says whether it was closed. */
export function stubClient(send: (command: { constructor: { name: string }; input: { ShardId?: string } }, signal: AbortSignal) => Promise<unknown>) {
  const state = { destroyed: false, signals: [] as AbortSignal[] };
  const client = {
    config: {},
    destroy: () => void (state.destroyed = true),
    send: (command: Parameters<typeof send>[0], options?: { abortSignal?: AbortSignal }) => {
      state.signals.push(options!.abortSignal!);
      return send(command, options!.abortSignal!);
    },
  } as unknown as KinesisClient;
  return { client, state };
}

/** A request that is never answered, and fails once aborted. */
export const hanging = (_command: unknown, signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(serviceError('AbortError'))));

/**
 * Makes a client act as a caller without permission for one action: each call of the command
 * fails as the service refuses it (`AccessDeniedException`, before anything is sent).
 *
 * @param client - A real client (for example the shard simulator's).
 * @param command - The command class refused (`ListShardsCommand`).
 * @param action - The IAM action named in the message (`kinesis:ListShards`).
 * @returns The client.
 */
export function denying<C extends KinesisClient>(client: C, command: { readonly name: string }, action: string): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command.name) throw Object.assign(new Error(`User is not authorized to perform: ${action}`), { name: 'AccessDeniedException', $fault: 'client' });
      return next(args);
    },
    { step: 'initialize', name: `deny ${action}` },
  );
  return client;
}
