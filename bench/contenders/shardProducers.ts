/**
 * The contenders of the `shards` scenario that are not `toKinesis` (which runs in
 * `bench/harness/pacedProducer.ts`): producers fed by the same paced source, through a
 * {@link Gate} that bounds what waits in them as `toKinesis`'s backlog does.
 *
 * - {@link kplStaticLimiter}: the KPL's way (`aws/kinesis/core/limiter.h`): one limiter per
 *   predicted shard, two token buckets (records and bytes) filled at 150% of the shard limit and
 *   holding one second, drained every 25 ms; no reaction to throttling; a throttled record goes
 *   back to its shard's queue at once (no backoff) until it is 30 s old (`RecordTtl`); the shard
 *   map listed again when a record lands on an unexpected shard. Up to 4 requests in flight.
 * - {@link adaptiveSdkLoop}: a hand-written loop over the SDK v3 client with `retryMode:
 *   'adaptive'` (a client-wide token bucket fed by whole-request throttles only): up to 500
 *   records per `PutRecords`, one request at a time, the records that come back failed sent again
 *   in the next request (the SDK does not retry per-record failures), at most 10 attempts each.
 */
import http from 'node:http';
import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { MAX_RECORDS_PER_REQUEST, SHARD_BYTES_PER_SECOND, SHARD_RECORDS_PER_SECOND, THROTTLED_ERROR_CODE } from '../../lib/index.js';
import { ShardMap } from '../../lib/kinesis/shardMap.js';
import { Gate, PacedRun, PRODUCER_CONCURRENCY, SIMULATOR_CLIENT, timed } from '../harness/pacedProducer.js';
import type { PacedEvent, ProducerOptions, ShardProducer, Timed } from '../harness/pacedProducer.js';

/** The KPL's default `RateLimit`: 150% of the shard limit. */
const KPL_RATE_LIMIT = 1.5;
/** The KPL drains its limiters this often. */
const KPL_DRAIN_MS = 25;
/** The KPL's default `RecordTtl`. */
const KPL_RECORD_TTL_MS = 30_000;
/** Attempts per record of the adaptive SDK loop. */
const SDK_LOOP_ATTEMPTS = 10;

/** One record on its way: the event, its bytes, and its attempts. */
interface Pending {
  readonly event: Timed;
  readonly data: Buffer;
  readonly bytes: number;
  attempts: number;
}

/** A client for the simulator: HTTP/1.1 keep-alive, `sockets` sockets. */
function simulatorClient(endpoint: string, sockets: number, retryMode?: 'adaptive'): KinesisClient {
  return new KinesisClient({
    ...SIMULATOR_CLIENT,
    credentials: { ...SIMULATOR_CLIENT.credentials },
    endpoint,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }) }),
    ...(retryMode === undefined ? { maxAttempts: 1 } : { retryMode }),
  });
}

/** A record to send: the event as JSON. */
function pending(event: PacedEvent): Pending {
  const stamped = timed(event);
  const data = Buffer.from(JSON.stringify(event));
  return { event: stamped, data, bytes: data.length + Buffer.byteLength(event.key), attempts: 0 };
}

/** Feeds the paced source into `accept` through the gate, then resolves. */
async function feed(run: PacedRun, gate: Gate, accept: (record: Pending) => void): Promise<void> {
  for await (const event of run.source as AsyncIterable<PacedEvent>) {
    await gate.enter();
    accept(pending(event));
  }
}

/** A static token bucket pair (records and bytes) holding one second. */
class StaticBucket {
  private records: number;
  private bytes: number;
  private at = performance.now();

  constructor(
    private readonly recordsPerSecond: number,
    private readonly bytesPerSecond: number,
  ) {
    this.records = recordsPerSecond;
    this.bytes = bytesPerSecond;
  }

  take(bytes: number): boolean {
    const now = performance.now();
    const seconds = (now - this.at) / 1000;
    this.at = now;
    this.records = Math.min(this.recordsPerSecond, this.records + seconds * this.recordsPerSecond);
    this.bytes = Math.min(this.bytesPerSecond, this.bytes + seconds * this.bytesPerSecond);
    if (this.records < 1 || this.bytes < bytes) return false;
    this.records -= 1;
    this.bytes -= bytes;
    return true;
  }
}

/** The KPL's static per-shard limiter at 150%, as a shard-run producer. */
export const kplStaticLimiter: ShardProducer = async (options: ProducerOptions) => {
  const run = new PacedRun(options);
  const gate = new Gate();
  const client = simulatorClient(options.endpoint, PRODUCER_CONCURRENCY);
  const target = { StreamName: options.streamName };
  const list = async (): Promise<ShardMap> => ShardMap.fromShards((await client.send(new ListShardsCommand(target))).Shards ?? [])!;
  let map = await list();
  let relisting = false;
  const queues = new Map<string, Pending[]>();
  const buckets = new Map<string, StaticBucket>();
  let inFlight = 0;
  let waiting = 0;
  const enqueue = (record: Pending): void => {
    const shardId = map.predict(record.event.key);
    const queue = queues.get(shardId) ?? [];
    queues.set(shardId, queue);
    queue.push(record);
  };
  const bucket = (shardId: string): StaticBucket => {
    let found = buckets.get(shardId);
    if (found === undefined) buckets.set(shardId, (found = new StaticBucket(KPL_RATE_LIMIT * SHARD_RECORDS_PER_SECOND, KPL_RATE_LIMIT * SHARD_BYTES_PER_SECOND)));
    return found;
  };
  const settle = (record: Pending, errorCode?: string): void => {
    run.settle(record.event, performance.now(), errorCode);
    gate.leave();
    waiting--;
  };
  const answered = (sent: Pending[], entries: readonly PutRecordsResultEntry[] | undefined, requestError?: string): void => {
    sent.forEach((record, index) => {
      const entry = entries?.[index];
      const errorCode = requestError ?? entry?.ErrorCode;
      if (errorCode === undefined) {
        if (!map.has(entry!.ShardId!) && !relisting) {
          relisting = true;
          void list().then((fresh) => ((map = fresh), (relisting = false)), () => (relisting = false));
        }
        settle(record);
      } else if (performance.now() - record.event.enteredAt < KPL_RECORD_TTL_MS) {
        enqueue(record); // again, at once: the KPL has no backoff
      } else {
        settle(record, errorCode === THROTTLED_ERROR_CODE ? errorCode : `Expired (${errorCode})`);
      }
    });
  };
  const drain = (): void => {
    while (inFlight < PRODUCER_CONCURRENCY) {
      const request: Pending[] = [];
      for (const [shardId, queue] of queues) {
        const limiter = bucket(shardId);
        while (queue.length > 0 && request.length < MAX_RECORDS_PER_REQUEST && limiter.take(queue[0]!.bytes)) request.push(queue.shift()!);
      }
      if (request.length === 0) return;
      inFlight++;
      for (const record of request) record.attempts++;
      client
        .send(new PutRecordsCommand({ ...target, Records: request.map((record) => ({ Data: record.data, PartitionKey: record.event.key })) }))
        .then(
          (output) => answered(request, output.Records),
          (error: unknown) => answered(request, undefined, error instanceof Error ? error.name : 'UnknownError'),
        )
        .finally(() => inFlight--);
    }
  };
  const timer = setInterval(drain, KPL_DRAIN_MS);
  try {
    await feed(run, gate, (record) => {
      waiting++;
      enqueue(record);
    });
    while (waiting > 0) await new Promise((resolve) => setTimeout(resolve, KPL_DRAIN_MS));
  } finally {
    clearInterval(timer);
    client.destroy();
  }
  return run.finish();
};

/** The raw SDK loop with `retryMode: 'adaptive'`, resending the records that failed, as a shard-run producer. */
export const adaptiveSdkLoop: ShardProducer = async (options: ProducerOptions) => {
  const run = new PacedRun(options);
  const gate = new Gate();
  const client = simulatorClient(options.endpoint, 1, 'adaptive');
  const queue: Pending[] = [];
  let fed = false;
  const feeding = feed(run, gate, (record) => queue.push(record)).then(() => (fed = true));
  try {
    while (!fed || queue.length > 0) {
      if (queue.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const request = queue.splice(0, MAX_RECORDS_PER_REQUEST);
      for (const record of request) record.attempts++;
      let entries: readonly PutRecordsResultEntry[] | undefined;
      let requestError: string | undefined;
      try {
        entries = (await client.send(new PutRecordsCommand({ StreamName: options.streamName, Records: request.map((record) => ({ Data: record.data, PartitionKey: record.event.key })) }))).Records;
      } catch (error) {
        requestError = error instanceof Error ? error.name : 'UnknownError';
      }
      const retry: Pending[] = [];
      request.forEach((record, index) => {
        const errorCode = requestError ?? entries?.[index]?.ErrorCode;
        if (errorCode !== undefined && record.attempts < SDK_LOOP_ATTEMPTS) return void retry.push(record);
        run.settle(record.event, performance.now(), errorCode);
        gate.leave();
      });
      queue.unshift(...retry);
    }
    await feeding;
  } finally {
    client.destroy();
  }
  return run.finish();
};
