/**
 * fromKinesis with a stubbed client: what an unsubscribe stops, and which errors reach the subscriber.
 */
import { inspect } from 'node:util';
import type { _Record } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { recordingLogger, silentLogger } from '../support/collect.js';
import { hanging, serviceError, shard, stubClient } from '../support/stubs.js';
import { fromKinesis } from '../../lib/reader/fromKinesis.js';

describe('fromKinesis teardown (stubbed client)', () => {
  it('aborts the request in flight on unsubscribe, makes no other, and leaves a caller-owned client open', async () => {
    const { client, state } = stubClient(hanging);
    const { signals } = state;
    const logger = recordingLogger();
    const subscription = fromKinesis({ streamName: 's', client, logger, shardSyncInterval: '1h' }).subscribe({
      error: (error: unknown) => logger.error(String(error)),
    });
    expect(signals).to.have.length(1); // ListShards, in flight
    subscription.unsubscribe();
    expect(signals[0]!.aborted).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signals).to.have.length(1);
    expect(state.destroyed).to.equal(false);
    expect(logger.lines).to.deep.equal([]);
  });

  it('errors with a non-retryable error and stops reading the other shards', async () => {
    const { client, state } = stubClient(async (command, signal) => {
      const name = command.constructor.name;
      if (name === 'ListShardsCommand') return { Shards: [shard(0), shard(1)] };
      if (name === 'GetShardIteratorCommand' && command.input.ShardId === 'shardId-1') throw serviceError('AccessDeniedException');
      if (name === 'GetShardIteratorCommand') return hanging(command, signal);
      throw new Error(`unexpected ${name}`);
    });
    const error = await new Promise((resolve) => fromKinesis({ streamName: 's', client, logger: silentLogger }).subscribe({ error: resolve }));
    expect(error).to.have.property('name', 'AccessDeniedException');
    expect(state.signals).to.have.length(3);
    expect(state.signals.every((signal) => signal.aborted)).to.equal(true);
  });
});

describe('fromKinesis errors (stubbed client)', () => {
  it('passes on an error without its hidden $response (whatever request gave it), and an error without one as it is', async () => {
    const withResponse = (): Error => {
      const error = serviceError('AccessDeniedException');
      // As the SDK attaches it: hidden, and neither writable nor configurable.
      Object.defineProperty(error, '$response', { value: { headers: { 'x-amz-security-token': 'SECRET' } }, enumerable: false, writable: false, configurable: false });
      return error;
    };
    const plain = serviceError('AccessDeniedException');
    const failing = (fail: (command: string) => Error | undefined) =>
      stubClient(async (command) => {
        const name = command.constructor.name;
        const error = fail(name);
        if (error !== undefined) throw error;
        if (name === 'ListShardsCommand') return { Shards: [shard(0)] };
        if (name === 'GetShardIteratorCommand') return { ShardIterator: 'iterator' };
        throw new Error(`unexpected ${name}`);
      }).client;
    const errorOf = (fail: (command: string) => Error | undefined) =>
      new Promise<unknown>((resolve) => fromKinesis({ streamName: 's', client: failing(fail), logger: silentLogger }).subscribe({ error: resolve }));

    for (const command of ['ListShardsCommand', 'GetShardIteratorCommand', 'GetRecordsCommand']) {
      const error = await errorOf((name) => (name === command ? withResponse() : undefined));
      expect(inspect(error, { showHidden: true, depth: null }), command).not.to.include('SECRET');
      expect(error, command).not.to.have.property('$response');
      expect(error, command).to.be.instanceOf(Error).and.include({ name: 'AccessDeniedException', $fault: 'client' });
    }
    expect(await errorOf((name) => (name === 'GetRecordsCommand' ? plain : undefined))).to.equal(plain);
  });
});
