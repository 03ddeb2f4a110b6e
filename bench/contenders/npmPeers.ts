/**
 * The npm peers: `aws-kinesis-writable` (aws-sdk v2, one request per full buffer, none awaited:
 * unbounded concurrency) and `kinesis-streams` (aws-sdk v2, a Writable that awaits each request).
 *
 * They are not dependencies of this package: the runner installs them on demand in `bench/peers/`
 * (versions pinned in `bench/peers/package.json`), and they are loaded from there with
 * `createRequire`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Contender, RunOptions } from '../harness/contender.js';
import type { BenchEvent } from '../harness/events.js';
import type { AwsKinesisWritableConstructor, AwsSdkV2, AwsV2Kinesis, KinesisStreamsModule } from './peers.js';

const PEERS_DIR = fileURLToPath(new URL('../peers/', import.meta.url));

/** The peers as loaded, or why they could not be. */
export type Peers =
  | { readonly ok: true; readonly awsSdk: AwsSdkV2; readonly awsKinesisWritable: AwsKinesisWritableConstructor; readonly kinesisStreams: KinesisStreamsModule }
  | { readonly ok: false; readonly reason: string };

/** Whether each peer of `bench/peers/package.json` is installed at the pinned version. */
function installed(): boolean {
  const wanted = (JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  return Object.entries(wanted).every(([name, version]) => {
    const manifest = join(PEERS_DIR, 'node_modules', name, 'package.json');
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version === version;
  });
}

/**
 * Installs the peers in `bench/peers/` if they are missing, and loads them.
 *
 * @returns The peer modules, or the reason they are not available.
 */
export function loadPeers(): Peers {
  try {
    if (!installed()) {
      console.error('installing the npm peers in bench/peers/ (once) ...');
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const result = spawnSync(npm, ['install', '--prefix', PEERS_DIR, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'], {
        stdio: ['ignore', process.stderr, process.stderr],
      });
      if (result.status !== 0 || !installed()) return { ok: false, reason: `npm install in bench/peers failed (${result.error?.message ?? `exit ${result.status}`})` };
    }
    process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
    const require = createRequire(join(PEERS_DIR, 'package.json'));
    return {
      ok: true,
      awsSdk: require('aws-sdk') as AwsSdkV2,
      awsKinesisWritable: require('aws-kinesis-writable') as AwsKinesisWritableConstructor,
      kinesisStreams: require('kinesis-streams') as KinesisStreamsModule,
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Writes the first `n` events, waiting for `drain` when the stream asks to. */
async function writeAll(stream: Writable, records: readonly BenchEvent[], n: number): Promise<void> {
  for (let index = 0; index < n; index++) {
    if (!stream.write(records[index]!)) await new Promise((resolve) => stream.once('drain', resolve));
  }
}

/** An aws-sdk v2 Kinesis client with a keep-alive agent (v2 does not reuse connections by default). */
function v2Client(peers: Extract<Peers, { ok: true }>, endpoint: string, options: RunOptions, agent: http.Agent): AwsV2Kinesis {
  return new peers.awsSdk.Kinesis({ region: options.region, endpoint, credentials: { ...options.credentials }, httpOptions: { agent } });
}

/**
 * `aws-kinesis-writable` in object mode: a `PutRecords` of `peerBatchSize` records each time that
 * many are queued, none awaited. It has no completion signal, so the contender counts the
 * acknowledged records (by wrapping the stream's own `putRecords`) and resolves when all `n` are.
 *
 * @param peers - The loaded peers.
 * @returns The contender.
 */
export function awsKinesisWritableContender(peers: Extract<Peers, { ok: true }>): Contender {
  return async (n, records, endpoint, options) => {
    const agent = new http.Agent({ keepAlive: true });
    const stream = new peers.awsKinesisWritable({
      streamName: options.streamName,
      region: options.region,
      endpoint,
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
      objectMode: true,
      partitionKey: (message: BenchEvent) => message.user,
      httpOptions: { agent },
      buffer: { timeout: 1, length: options.peerBatchSize },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let acknowledged = 0;
        const send = stream.putRecords.bind(stream);
        stream.putRecords = (entries, callback) =>
          send(entries, (error) => {
            if (!error) acknowledged += entries.length;
            callback(error);
            if (acknowledged === n) resolve();
          });
        stream.on('error', reject);
        writeAll(stream, records, n).then(() => {
          if (stream.timer !== null) clearTimeout(stream.timer);
          stream.timer = null;
          if (stream.recordsQueue.length > 0) stream.flush();
        }, reject);
      });
    } finally {
      if (stream.timer !== null) clearTimeout(stream.timer);
      agent.destroy();
    }
  };
}

/**
 * `kinesis-streams`' `KinesisWritable` with `highWaterMark: peerBatchSize` (a `PutRecords` when
 * that many records are queued, awaited before the next write), the partition key from the
 * event's field; resolves on `finish`, after its own flush of the tail.
 *
 * @param peers - The loaded peers.
 * @returns The contender.
 */
export function kinesisStreamsContender(peers: Extract<Peers, { ok: true }>): Contender {
  return async (n, records, endpoint, options) => {
    const agent = new http.Agent({ keepAlive: true });
    const stream = new peers.kinesisStreams.KinesisWritable(v2Client(peers, endpoint, options, agent), options.streamName, {
      highWaterMark: options.peerBatchSize,
    });
    stream.getPartitionKey = (data: BenchEvent) => data.user;
    try {
      await new Promise<void>((resolve, reject) => {
        stream.once('finish', resolve);
        stream.once('error', reject);
        writeAll(stream, records, n).then(() => stream.end(), reject);
      });
    } finally {
      if (stream._queueCheckTimer !== undefined) clearTimeout(stream._queueCheckTimer);
      agent.destroy();
    }
  };
}
