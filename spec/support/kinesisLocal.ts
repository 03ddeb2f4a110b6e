/**
 * kinesis-local (kinesis-mock, the Kinesis behind LocalStack) as a child process for the specs:
 * started from a spec's `before` hook on free ports, waited for until it answers, and killed in
 * `after`.
 *
 * No orphan survives a failing run: the child is killed by `close()`, by this process's `exit`
 * event, and, should this process die without running either (SIGKILL, a crash), by a watchdog
 * in the child that exits when its stdin (a pipe from this process) closes.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createStream, readStream } from '../../examples/support/localKinesis.js';
import type { LocalKinesis } from '../../examples/support/localKinesis.js';

/** The region streams are created in (kinesis-mock keeps streams per region: clients must use the same). */
export const KINESIS_LOCAL_REGION = 'us-east-1';

/** The credentials LocalStack documents; kinesis-mock checks that a request is signed, not by whom. */
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** How long the child may take to answer its first request (about 2 s on an idle 2-core machine). */
const STARTUP_TIMEOUT_MS = 60_000;

/** How long a stopped child may take to exit before it is killed outright. */
const STOP_GRACE_MS = 2_000;

/** Output lines kept, to say why a start failed. */
const KEPT_OUTPUT_LINES = 40;

/** Attempts to start, when the child exits before answering (a port taken between choosing and binding). */
const START_ATTEMPTS = 3;

/**
 * Run by the child's `node -e`: exit when the parent's pipe on stdin closes, then load kinesis-mock
 * (`process.argv[1]`).
 */
const WATCHDOG = "process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume(); require(process.argv[1]);";

/** A running kinesis-local: the same helpers as the embedded kinesalite, plus what is particular to it. */
export interface KinesisLocal extends LocalKinesis {
  /** `https://127.0.0.1:<port>` (a self-signed certificate). */
  readonly tlsEndpoint: string;
  /** The region its streams live in. */
  readonly region: string;
  /** From spawning the process to its first answer, in ms. */
  readonly startupMs: number;
  /** Its last lines of output. */
  output(): string;
}

/** What to start. */
export interface KinesisLocalOptions {
  /** Streams created at start (`INITIALIZE_STREAMS`), by name, with their shard counts; waited for until active. */
  readonly streams?: Readonly<Record<string, number>>;
}

/** A free TCP port of 127.0.0.1 (free when asked: another process may take it before the child binds it). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** kinesis-mock's `main.js`, found from this package's dependencies. */
function mainScript(): string {
  return createRequire(import.meta.url).resolve('kinesis-local');
}

/** The child's whole environment: nothing inherited (no AWS credentials, no NODE_OPTIONS), every setting explicit. */
function childEnvironment(plainPort: number, tlsPort: number, streams: Readonly<Record<string, number>>): NodeJS.ProcessEnv {
  const instant = '0ms';
  return {
    KINESIS_MOCK_PLAIN_PORT: String(plainPort),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    AWS_REGION: KINESIS_LOCAL_REGION,
    INITIALIZE_STREAMS: Object.entries(streams)
      .map(([name, shards]) => `${name}:${shards}`)
      .join(','),
    CREATE_STREAM_DURATION: instant,
    DELETE_STREAM_DURATION: instant,
    REGISTER_STREAM_CONSUMER_DURATION: instant,
    DEREGISTER_STREAM_CONSUMER_DURATION: instant,
    START_STREAM_ENCRYPTION_DURATION: instant,
    STOP_STREAM_ENCRYPTION_DURATION: instant,
    MERGE_SHARDS_DURATION: instant,
    SPLIT_SHARD_DURATION: instant,
    UPDATE_SHARD_COUNT_DURATION: instant,
    UPDATE_STREAM_MODE_DURATION: instant,
    SHARD_LIMIT: '1000',
    LOG_LEVEL: 'ERROR',
    ROOT_LOG_LEVEL: 'ERROR',
    LOAD_DATA_IF_EXISTS: 'false',
    SHOULD_PERSIST_DATA: 'false',
  };
}

/** The last lines of what a child printed. */
function outputTail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    if (lines.length > KEPT_OUTPUT_LINES) lines.splice(0, lines.length - KEPT_OUTPUT_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

/** Kills the child and resolves once it has exited (SIGTERM, then SIGKILL after a grace period). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Waits until the child answers `ListStreams` and every initial stream is active; rejects if it exits first. */
async function waitUntilReady(child: ChildProcess, client: KinesisClient, streams: readonly string[], output: () => string): Promise<void> {
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => (exited = `exited (${signal ?? `code ${code}`})`);
  child.once('exit', onExit);
  const deadline = performance.now() + STARTUP_TIMEOUT_MS;
  let lastError: unknown;
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`kinesis-local ${exited} before answering:\n${output()}`);
      if (performance.now() > deadline) {
        throw new Error(`kinesis-local did not answer within ${STARTUP_TIMEOUT_MS} ms (${String(lastError)}):\n${output()}`);
      }
      try {
        await client.send(new ListStreamsCommand({}));
        const summaries = await Promise.all(streams.map((name) => client.send(new DescribeStreamSummaryCommand({ StreamName: name }))));
        if (summaries.every((summary) => summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE')) return;
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    child.off('exit', onExit);
  }
}

/** Children still running, killed when this process exits, whatever the reason. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function startOnce(options: KinesisLocalOptions): Promise<KinesisLocal> {
  const streams = options.streams ?? {};
  const plainPort = await freePort();
  const tlsPort = await freePort();
  const main = mainScript();
  const started = performance.now();
  // Its own folder as the working directory: kinesis-mock reads its certificate, server.json, there.
  const child = spawn(process.execPath, ['-e', WATCHDOG, main], {
    cwd: path.dirname(main),
    env: childEnvironment(plainPort, tlsPort, streams),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdin?.on('error', () => undefined);
  const output = outputTail(child);

  const endpoint = `http://127.0.0.1:${plainPort}`;
  const client = new KinesisClient({ region: KINESIS_LOCAL_REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
  try {
    await waitUntilReady(child, client, Object.keys(streams), output);
  } catch (error) {
    client.destroy();
    await stopChild(child);
    throw error;
  }
  const startupMs = performance.now() - started;

  return {
    endpoint,
    tlsEndpoint: `https://127.0.0.1:${tlsPort}`,
    region: KINESIS_LOCAL_REGION,
    credentials: CREDENTIALS,
    client,
    startupMs,
    output,
    createStream: (name, shardCount) => createStream(client, name, shardCount),
    readStream: (name) => readStream(client, name),
    close: async () => {
      client.destroy();
      await stopChild(child);
    },
  };
}

/**
 * Starts kinesis-local on two free ports of 127.0.0.1 (plain HTTP and TLS), with every delay of
 * its simulated stream operations set to 0, quiet logs, nothing persisted, and waits until it
 * answers. Call `close()` in an `after` hook.
 *
 * @example
 * ```ts
 * let kinesis: KinesisLocal;
 * before(async () => (kinesis = await startKinesisLocal({ streams: { events: 2 } })));
 * after(() => kinesis?.close());
 * ```
 * @param options - Streams to create at start.
 * @returns The running kinesis-local and its helpers.
 */
export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocal> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !(error instanceof Error) || !error.message.includes('before answering')) throw error;
    }
  }
}
