/**
 * A shard-capacity simulator of Kinesis Data Streams, for tests and benchmarks: an HTTP server on
 * 127.0.0.1 (port 0) that speaks the service's JSON protocol (`application/x-amz-json-1.1`,
 * `x-amz-target: Kinesis_20131202.<Operation>`; signatures are not checked), so that an AWS SDK v3
 * `KinesisClient` with an `endpoint` and `NodeHttpHandler` works against it unchanged; and that,
 * unlike kinesalite and kinesis-mock, enforces each shard's write limits.
 *
 * - Each shard has two token buckets, records and bytes (defaults 1,000 records/s and 1 MiB/s,
 *   each holding one second), refilled continuously. A record takes one record token and its data
 *   plus partition key (UTF-8) bytes in byte tokens; over either limit it is throttled, in a 200
 *   answer, with the service's `ProvisionedThroughputExceededException` entry ("Rate exceeded for
 *   shard shardId-000000000001 in stream S under account 123456789012."), and `FailedRecordCount`
 *   counts it. A record larger than the byte burst (possible once `MaxRecordSizeInKiB` is raised)
 *   passes when the byte bucket is full, and leaves it in debt, paid back at the byte rate: the
 *   service's burst allowance for large records, leniently (see `shardSimulator/tokenBucket.ts`).
 * - A record goes to the open shard whose hash key range holds the MD5 of its partition key (an
 *   unsigned big-endian 128-bit integer), or its `ExplicitHashKey`. Streams are created with the
 *   hash key space split evenly, and `ACTIVE` at once.
 * - Request limits as the service's (see `shardSimulator/putRecords.ts`): 500 records per
 *   request (`ValidationException`), 10 MiB per request and the stream's maximum record size
 *   (`InvalidArgumentException`, the whole request refused).
 * - Optional faults: a chance per `PutRecords` of a whole-request 400
 *   `ProvisionedThroughputExceededException` or `KMSThrottlingException`, and latency per answer
 *   (fixed or uniform).
 * - `SplitShard` and `MergeShards` (by API or on the handle) close the parents and open children
 *   with fresh buckets; every accepted record is kept per shard with a sequence number increasing
 *   across the stream, readable with `GetShardIterator` and `GetRecords` (so `fromKinesis` reads
 *   it back) and through the handle ({@link ShardSimulatorControls.records}).
 * - Counters ({@link ShardSimulatorControls.stats}): requests by operation, whole-request
 *   refusals, and per shard the records accepted and throttled, bytes accepted and how busy it
 *   was over a window.
 *
 * Several clients sharing a stream share its shards' buckets. Operations: `PutRecords`,
 * `ListShards`, `DescribeStreamSummary`, `CreateStream`, `DeleteStream`, `SplitShard`,
 * `MergeShards`, `UpdateMaxRecordSize`, `GetShardIterator`, `GetRecords`; any other is answered
 * 400 `UnknownOperationException`.
 *
 * Its parts, in `shardSimulator/`: `tokenBucket.ts`, `shard.ts`, `stream.ts` (the model);
 * `putRecords.ts`, `streamOperations.ts`, `readOperations.ts` (the operations); `stats.ts` (the
 * counters); `state.ts` (what is kept between requests); `errors.ts` (refusals and the service's
 * wording).
 *
 * @example
 * ```ts
 * const sim = await startShardSimulator({ recordsPerSecond: 100 });
 * sim.createStream('events', 2);
 * const client = sim.client();
 * await client.send(new PutRecordsCommand({ StreamName: 'events', Records: [...] }));
 * sim.records('events'); // { 'shardId-000000000000': [...], 'shardId-000000000001': [...] }
 * sim.stats().streams['events']!.throttledRecords;
 * await sim.close();
 * ```
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mulberry32 } from './faultProxy.js';
import { ServiceError, unknownOperation } from './shardSimulator/errors.js';
import type { ShardCapacity } from './shardSimulator/shard.js';
import { putRecords } from './shardSimulator/putRecords.js';
import { READING_OPERATIONS } from './shardSimulator/readOperations.js';
import { namedStream, parseBody, zeroCounters } from './shardSimulator/state.js';
import type { SimulatorFaults, SimulatorState } from './shardSimulator/state.js';
import { simulatorStats } from './shardSimulator/stats.js';
import type { SimulatorStats } from './shardSimulator/stats.js';
import { createStream, describeShard, STREAM_OPERATIONS } from './shardSimulator/streamOperations.js';
import type { CreateStreamOptions, Operation, ShardDescription } from './shardSimulator/streamOperations.js';

export type { SimulatorFaults } from './shardSimulator/state.js';
export type { ShardStats, SimulatorStats, StreamStats } from './shardSimulator/stats.js';
export type { CreateStreamOptions, ShardDescription } from './shardSimulator/streamOperations.js';

/** How the simulator is started. */
export interface ShardSimulatorOptions extends SimulatorFaults, Partial<ShardCapacity> {
  /** The account id in ARNs and messages. Default `'123456789012'`. */
  readonly account?: string;
  /** The region in ARNs, and of the clients {@link ShardSimulator.client} builds. Default `'us-east-1'`. */
  readonly region?: string;
  /** The largest record of a new stream (data plus partition key), in KiB, 1024 to 10240. Default 1024. */
  readonly maxRecordSizeKiB?: number;
  /** The most shards per `ListShards` page, whatever `MaxResults` asks (to exercise paging). Default 10,000. */
  readonly listShardsPageSize?: number;
}

/** One accepted record, as {@link ShardSimulatorControls.records} gives it. */
export interface SimulatedRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** The explicit hash key it was sent with, if any. */
  readonly explicitHashKey?: string;
  readonly data: Uint8Array;
  readonly arrival: Date;
}

/** What the simulator can be asked to do besides answering requests: the same in-process and, asynchronously, in a child process. */
export interface ShardSimulatorControls {
  /**
   * Creates an `ACTIVE` stream, its hash key space split evenly (as `CreateStream` does).
   *
   * @param name - The stream's name.
   * @param shardCount - Its shards. Default 1.
   * @param options - Its own write limits or maximum record size, where not the simulator's.
   * @returns Its shards, as `ListShards` describes them.
   */
  createStream(name: string, shardCount?: number, options?: CreateStreamOptions): ShardDescription[];
  /**
   * Deletes a stream and its records (as `DeleteStream` does, at once).
   *
   * @param name - The stream's name.
   */
  deleteStream(name: string): void;
  /**
   * Splits an open shard (as `SplitShard` does): the parent is closed, two children with fresh buckets take its halves.
   *
   * @param stream - The stream's name.
   * @param shardId - The shard to split.
   * @param newStartingHashKey - The second child's first hash key (decimal string or bigint). Default: the middle of the range.
   * @returns The children's ids, lower range first.
   */
  splitShard(stream: string, shardId: string, newStartingHashKey?: string | bigint): [string, string];
  /**
   * Merges two open shards with adjacent ranges (as `MergeShards` does): both close, one child with a fresh bucket takes their joint range.
   *
   * @param stream - The stream's name.
   * @param shardId - One shard (the child's `ParentShardId`).
   * @param adjacentShardId - The shard next to it (the child's `AdjacentParentShardId`).
   * @returns The child's id.
   */
  mergeShards(stream: string, shardId: string, adjacentShardId: string): string;
  /**
   * Every shard of a stream, open and closed.
   *
   * @param stream - The stream's name.
   * @returns The shards in creation order, as `ListShards` describes them.
   */
  shards(stream: string): ShardDescription[];
  /**
   * Every accepted record of a stream.
   *
   * @param stream - The stream's name.
   * @returns The records by shard id (every shard, open and closed, in creation order), each shard's in sequence order.
   */
  records(stream: string): Record<string, SimulatedRecord[]>;
  /**
   * The counters.
   *
   * @param windowMs - Count the shards' figures over the last `windowMs` only (to 100 ms). Default: since the last reset.
   * @returns Requests and refusals since the last reset; per stream and shard, the figures over the window.
   */
  stats(windowMs?: number): SimulatorStats;
  /**
   * Changes the faults and latency (only the fields given); a `seed` reseeds the PRNG.
   *
   * @param faults - The new values.
   */
  configure(faults: SimulatorFaults): void;
  /** Zeroes the counters and starts their window now; streams, records and buckets are kept. */
  reset(): void;
}

/** A running simulator. */
export interface ShardSimulator extends ShardSimulatorControls {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  /** Credentials for clients (any are accepted). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * A `KinesisClient` for this simulator (HTTP/1.1 keep-alive), destroyed by {@link close}.
   *
   * @param config - More client settings (`maxAttempts`, ...).
   */
  client(config?: Omit<KinesisClientConfig, 'endpoint' | 'region' | 'credentials'>): KinesisClient;
  /** Stops the server and destroys the clients it built. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Kinesis_20131202.';
const MiB = 1024 * 1024;
const OPERATIONS: Readonly<Record<string, Operation>> = { ...STREAM_OPERATIONS, ...READING_OPERATIONS };

/** The faults in force when none are configured. */
const NO_FAULTS: SimulatorState['faults'] = { latencyMs: 0, requestThrottleChance: 0, kmsThrottleChance: 0 };

/**
 * Answers one request.
 *
 * @param state - The simulator.
 * @param operation - The operation (from `x-amz-target`).
 * @param body - The request body.
 * @returns The status and the JSON body.
 */
function answer(state: SimulatorState, operation: string, body: Buffer): [number, string] {
  const now = performance.now();
  const { counters } = state;
  counters.byOperation[operation] = (counters.byOperation[operation] ?? 0) + 1;
  try {
    const request = parseBody(body);
    if (operation === 'PutRecords') return [200, putRecords(state, request, now)];
    const handler = OPERATIONS[operation];
    if (handler === undefined) throw unknownOperation(operation);
    return [200, JSON.stringify(handler(state, request, now))];
  } catch (error) {
    if (!(error instanceof ServiceError)) return [500, JSON.stringify({ __type: 'InternalFailure', message: String(error) })];
    if (error.code === 'ProvisionedThroughputExceededException') counters.wholeRequestThrottles += 1;
    else if (error.code === 'KMSThrottlingException') counters.kmsThrottles += 1;
    else counters.refused += 1;
    return [error.status, error.body()];
  }
}

/** The delay before the next answer, drawn from the configured latency. */
function latency(state: SimulatorState): number {
  const { latencyMs } = state.faults;
  if (typeof latencyMs === 'number') return latencyMs;
  const [min, max] = latencyMs;
  return min + state.random() * (max - min);
}

/**
 * The state of a new simulator.
 *
 * @param options - As given to {@link startShardSimulator}.
 * @returns The state, with no stream.
 */
function initialState(options: ShardSimulatorOptions): SimulatorState {
  const { account = '123456789012', region = 'us-east-1', seed = 1, listShardsPageSize = 10_000 } = options;
  const { recordsPerSecond = 1_000, bytesPerSecond = MiB, burstSeconds = 1, maxRecordSizeKiB = 1024 } = options;
  const faults = { ...NO_FAULTS, ...withoutUndefined(options, ['latencyMs', 'requestThrottleChance', 'kmsThrottleChance']) };
  return {
    account,
    region,
    streams: new Map(),
    defaults: { capacity: { recordsPerSecond, bytesPerSecond, burstSeconds }, maxRecordSizeKiB },
    listShardsPageSize,
    faults,
    random: mulberry32(seed),
    counters: zeroCounters(),
    countersSince: performance.now(),
    cpuSince: process.cpuUsage(),
  };
}

/** The fields of `source` among `keys` that are defined. */
function withoutUndefined<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]])) as Partial<Pick<T, K>>;
}

/**
 * The controls of a simulator's state.
 *
 * @param state - The simulator.
 * @returns What {@link ShardSimulatorControls} does, on that state.
 */
function controls(state: SimulatorState): ShardSimulatorControls {
  const shards = (stream: string): ShardDescription[] => namedStream(state, stream).shards.map(describeShard);
  return {
    createStream: (name, shardCount = 1, options = {}) => {
      createStream(state, name, shardCount, options, performance.now());
      return shards(name);
    },
    deleteStream: (name) => void state.streams.delete(namedStream(state, name).name),
    splitShard: (stream, shardId, newStartingHashKey) => {
      const at = newStartingHashKey === undefined ? undefined : BigInt(newStartingHashKey);
      const [low, high] = namedStream(state, stream).split(shardId, at, performance.now());
      return [low.id, high.id];
    },
    mergeShards: (stream, shardId, adjacentShardId) => namedStream(state, stream).merge(shardId, adjacentShardId, performance.now()).id,
    shards,
    records: (stream) =>
      Object.fromEntries(
        namedStream(state, stream).shards.map((shard) => [
          shard.id,
          shard.records.map(({ sequenceNumber, partitionKey, explicitHashKey, data, arrivalMs }) => ({
            shardId: shard.id,
            sequenceNumber,
            partitionKey,
            ...(explicitHashKey === undefined ? {} : { explicitHashKey }),
            data: new Uint8Array(Buffer.from(data, 'base64')),
            arrival: new Date(arrivalMs),
          })),
        ]),
      ),
    stats: (windowMs) => simulatorStats(state, performance.now(), windowMs),
    configure: (faults) => {
      state.faults = { ...state.faults, ...withoutUndefined(faults, ['latencyMs', 'requestThrottleChance', 'kmsThrottleChance']) };
      if (faults.seed !== undefined) state.random = mulberry32(faults.seed);
    },
    reset: () => {
      state.counters = zeroCounters();
      state.countersSince = performance.now();
      state.cpuSince = process.cpuUsage();
      for (const stream of state.streams.values()) for (const shard of stream.shards) shard.timeline.clear();
    },
  };
}

/**
 * Starts a simulator on 127.0.0.1, on a free port.
 *
 * @param options - Default write limits and maximum record size of new streams, faults, account and region.
 * @returns The running simulator.
 */
export async function startShardSimulator(options: ShardSimulatorOptions = {}): Promise<ShardSimulator> {
  const state = initialState(options);
  let requestIds = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      const [status, payload] = answer(state, operation, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      const send = (): void => {
        const headers = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload), 'x-amzn-requestid': `shard-simulator-${++requestIds}` };
        response.writeHead(status, headers).end(payload);
      };
      const delay = latency(state);
      if (delay > 0) setTimeout(send, delay);
      else send();
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId: 'simulator', secretAccessKey: 'simulator' };
  const clients: KinesisClient[] = [];

  return {
    ...controls(state),
    endpoint,
    region: state.region,
    credentials,
    client: (config = {}) => {
      const client = new KinesisClient({ requestHandler: new NodeHttpHandler(), ...config, endpoint, region: state.region, credentials });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const client of clients.splice(0)) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
