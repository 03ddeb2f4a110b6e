/**
 * How many `PutRecords` records per second the shard simulator can answer, and at what CPU cost:
 * it runs in a child process (as in `shardBaseline.ts`), and this process sends it prepared
 * request bodies (500 records of ~100 bytes, random keys) over keep-alive connections, as fast as
 * it answers, for a few seconds per case:
 *
 * - `throttling`: 8 shards at the service's limits (1,000 records/s each): nearly every record
 *   is throttled, the common case of a producer over capacity;
 * - `accepting`: 8 shards with limits too high to reach: every record is accepted and stored
 *   (the costlier path).
 *
 * It prints, per case, the records answered per second, the share accepted, and the simulator's
 * CPU: as a share of one core, and per record (this process may be the bottleneck; the CPU per
 * record says what the simulator would take at any rate). Run:
 *
 * node --no-warnings=NodeVersionSupportWarning --import tsx bench/shardSimulatorLoad.ts [--seconds N] [--connections N]
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startRemoteShardSimulator } from './harness/simulator.js';
import type { RemoteShardSimulator } from './harness/simulator.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '4' } } });
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const RECORDS_PER_REQUEST = 500;
const SHARDS = 8;

/** A `PutRecords` body of 500 records with random keys and ~100 bytes of data each. */
function requestBody(stream: string): Buffer {
  const data = Buffer.from(JSON.stringify({ event: 'click', payload: 'x'.repeat(70) })).toString('base64');
  const records = Array.from({ length: RECORDS_PER_REQUEST }, () => `{"Data":"${data}","PartitionKey":"${randomUUID()}"}`);
  return Buffer.from(`{"StreamName":"${stream}","Records":[${records.join(',')}]}`);
}

/** Sends one request and resolves when its answer has been read. */
function send(agent: http.Agent, endpoint: URL, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      endpoint,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecords', 'content-length': body.length },
      },
      (response) => {
        response.on('data', () => undefined).once('end', resolve).once('error', reject);
      },
    );
    request.once('error', reject).end(body);
  });
}

/** Sends from every connection, one request after another, until the time is up; then reads the simulator's counters. */
async function run(simulator: RemoteShardSimulator, name: string, recordsPerSecond: number): Promise<void> {
  const stream = `load-${name}`;
  await simulator.createStream(stream, SHARDS, { recordsPerSecond, bytesPerSecond: recordsPerSecond * 1024 });
  const bodies = Array.from({ length: 16 }, () => requestBody(stream));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const endpoint = new URL(simulator.endpoint);
  await simulator.reset();
  const started = performance.now();
  const until = started + SECONDS * 1000;
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) await send(agent, endpoint, bodies[sent++ % bodies.length]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stats = await simulator.stats();
  agent.destroy();
  await simulator.deleteStream(stream);
  const { acceptedRecords, throttledRecords } = stats.streams[stream]!;
  const answered = acceptedRecords + throttledRecords;
  console.log(
    `${name.padEnd(10)} ${Math.round(answered / seconds).toLocaleString('en-US').padStart(8)} records/s answered ` +
      `(${(sent / seconds).toFixed(0)} requests/s), ${((100 * acceptedRecords) / answered).toFixed(1)}% accepted; ` +
      `simulator CPU ${((100 * stats.cpuMs) / (seconds * 1000)).toFixed(0)}% of one core, ${((1000 * stats.cpuMs) / answered).toFixed(1)} µs per record`,
  );
}

const simulator = await startRemoteShardSimulator();
try {
  console.log(`${SHARDS} shards, ${RECORDS_PER_REQUEST} records of ~100 bytes per request, ${CONNECTIONS} connections, ${SECONDS} s per case`);
  await run(simulator, 'throttling', 1_000);
  await run(simulator, 'accepting', 1e9);
} finally {
  await simulator.close();
}
