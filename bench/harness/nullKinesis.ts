/**
 * A null Kinesis endpoint, run in a child process of the benchmark (so that its CPU is not
 * counted as the contenders'): HTTP/1.1 keep-alive on 127.0.0.1, port 0, that answers every
 * request at once (or after a fixed delay set per run) without storing anything.
 *
 * - `PutRecords`: one successful entry per request record. Records are counted by the occurrences
 *   of `"PartitionKey"` in the body (the data is base64, so it cannot contain that text): a full
 *   `JSON.parse` of a 5 MiB body would make this process the bottleneck.
 * - `PutRecord`: one sequence number.
 * - `DescribeStream`, `DescribeStreamSummary`, `ListShards`: an ACTIVE stream with one shard.
 *
 * Started by `bench/harness/server.ts` with `fork()`; it sends `{ type: 'ready', port }` over IPC, then
 * answers {@link ServerCommand}s with {@link ServerReply}s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server counted since the last reset. */
export interface ServerStats {
  readonly requests: number;
  readonly records: number;
  readonly bytes: number;
  readonly byOperation: Readonly<Record<string, number>>;
  /** CPU time of the server process (user + system) since the last reset. */
  readonly cpuMs: number;
}

/** A command from the benchmark runner. */
export type ServerCommand =
  | { readonly id: number; readonly command: 'reset' }
  | { readonly id: number; readonly command: 'stats' }
  | { readonly id: number; readonly command: 'delay'; readonly delayMs: number };

/** The answer to a command (always the counters as they are when the command is handled). */
export interface ServerReply {
  readonly type: 'reply';
  readonly id: number;
  readonly stats: ServerStats;
}

/** The first message of the server. */
export interface ServerReady {
  readonly type: 'ready';
  readonly port: number;
}

const SHARD_ID = 'shardId-000000000000';
const SEQUENCE_PREFIX = '4964893582066427580632040452137412'; // 34 digits; 56 in all with the counter
const PARTITION_KEY = Buffer.from('"PartitionKey"');
const JSON_TYPE = 'application/x-amz-json-1.1';
const CREATED = 1_700_000_000;

let delayMs = 0;
let requests = 0;
let records = 0;
let bytes = 0;
let byOperation: Record<string, number> = {};
let cpuAtReset = process.cpuUsage();

function stats(): ServerStats {
  const cpu = process.cpuUsage(cpuAtReset);
  return { requests, records, bytes, byOperation: { ...byOperation }, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function sequenceNumber(index: number): string {
  return SEQUENCE_PREFIX + String(index).padStart(22, '0');
}

/** PutRecords answers by record count: they are all alike, so each is built once. */
const putRecordsAnswers = new Map<number, Buffer>();
function putRecordsAnswer(count: number): Buffer {
  let answer = putRecordsAnswers.get(count);
  if (answer === undefined) {
    const entries: string[] = [];
    for (let index = 0; index < count; index++) entries.push(`{"SequenceNumber":"${sequenceNumber(index)}","ShardId":"${SHARD_ID}"}`);
    answer = Buffer.from(`{"FailedRecordCount":0,"Records":[${entries.join(',')}]}`);
    putRecordsAnswers.set(count, answer);
  }
  return answer;
}

function countOccurrences(body: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + needle.length)) count++;
  return count;
}

function streamNameOf(body: Buffer): string {
  try {
    const request = JSON.parse(body.toString('utf8')) as { StreamName?: string; StreamARN?: string };
    return request.StreamName ?? request.StreamARN?.split(':stream/')[1] ?? 'bench';
  } catch {
    return 'bench';
  }
}

function shard(): object {
  return {
    ShardId: SHARD_ID,
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
    SequenceNumberRange: { StartingSequenceNumber: sequenceNumber(0) },
  };
}

function streamArn(name: string): string {
  return `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
}

/** The fields DescribeStream and DescribeStreamSummary share: an active, provisioned stream. */
function streamFields(name: string) {
  return {
    StreamName: name,
    StreamARN: streamArn(name),
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
    RetentionPeriodHours: 24,
    StreamCreationTimestamp: CREATED,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
}

/** The answer to one request: status and body. */
function answer(operation: string, body: Buffer): [number, Buffer] {
  switch (operation) {
    case 'PutRecords': {
      const count = countOccurrences(body, PARTITION_KEY);
      records += count;
      return [200, putRecordsAnswer(count)];
    }
    case 'PutRecord':
      records += 1;
      return [200, Buffer.from(`{"SequenceNumber":"${sequenceNumber(records)}","ShardId":"${SHARD_ID}"}`)];
    case 'DescribeStream': {
      const description = { ...streamFields(streamNameOf(body)), Shards: [shard()], HasMoreShards: false };
      return [200, Buffer.from(JSON.stringify({ StreamDescription: description }))];
    }
    case 'DescribeStreamSummary': {
      const summary = { ...streamFields(streamNameOf(body)), OpenShardCount: 1, ConsumerCount: 0 };
      return [200, Buffer.from(JSON.stringify({ StreamDescriptionSummary: summary }))];
    }
    case 'ListShards':
      return [200, Buffer.from(JSON.stringify({ Shards: [shard()] }))];
    default:
      return [400, Buffer.from(JSON.stringify({ __type: 'UnknownOperationException', message: `null Kinesis: no ${operation}` }))];
  }
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
    requests++;
    bytes += body.length;
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    const [status, payload] = answer(operation, body);
    const send = (): void => {
      response.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': payload.length, 'x-amzn-requestid': 'null-kinesis' });
      response.end(payload);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.requestTimeout = 0;

process.on('message', (message: ServerCommand) => {
  if (message.command === 'reset') {
    requests = 0;
    records = 0;
    bytes = 0;
    byOperation = {};
    cpuAtReset = process.cpuUsage();
  } else if (message.command === 'delay') {
    delayMs = message.delayMs;
  }
  const reply: ServerReply = { type: 'reply', id: message.id, stats: stats() };
  process.send!(reply);
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const ready: ServerReady = { type: 'ready', port: (server.address() as AddressInfo).port };
  if (process.send) process.send(ready);
  else console.log(`null Kinesis on http://127.0.0.1:${ready.port}`);
});
