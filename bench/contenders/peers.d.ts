/**
 * The few parts of the npm peers (`aws-sdk` v2, `aws-kinesis-writable`, `kinesis-streams`) that the
 * benchmark uses. They are installed on demand in `bench/peers/` and loaded with `createRequire`,
 * so their own typings (where they have some) are not reachable from here.
 */
import type { Agent } from 'node:http';
import type { Writable } from 'node:stream';

/** `new AWS.Kinesis(config)` of aws-sdk v2. */
export interface AwsV2KinesisConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  httpOptions?: { agent?: Agent };
}

/** An aws-sdk v2 Kinesis client (only what the peers call). */
export interface AwsV2Kinesis {
  putRecords(params: object, callback?: (error: Error | null, data: unknown) => void): { promise(): Promise<unknown> };
}

/** The `aws-sdk` (v2) module. */
export interface AwsSdkV2 {
  Kinesis: new (config: AwsV2KinesisConfig) => AwsV2Kinesis;
}

/** `aws-kinesis-writable` options (see its index.js). */
export interface AwsKinesisWritableOptions {
  streamName: string;
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  objectMode: boolean;
  partitionKey: string | ((message: never) => string);
  httpOptions?: { agent?: Agent };
  /** `timeout` in seconds; `length`: records per `PutRecords`. */
  buffer: { timeout: number; length: number };
}

/** An `aws-kinesis-writable` stream: each full buffer is sent at once, without waiting for the previous request. */
export interface AwsKinesisWritableStream extends Writable {
  recordsQueue: unknown[];
  timer: ReturnType<typeof setTimeout> | null;
  flush(): void;
  putRecords(records: unknown[], callback: (error: Error | null) => void): void;
}

/** The `aws-kinesis-writable` module: its export is the constructor. */
export type AwsKinesisWritableConstructor = new (options: AwsKinesisWritableOptions) => AwsKinesisWritableStream;

/** A `kinesis-streams` writable: sends its queue when `highWaterMark` records wait, and waits for the answer. */
export interface KinesisStreamsWritable extends Writable {
  getPartitionKey(data: never): string;
  _queueCheckTimer?: ReturnType<typeof setTimeout>;
}

/** The `kinesis-streams` module. */
export interface KinesisStreamsModule {
  KinesisWritable: new (
    client: AwsV2Kinesis,
    streamName: string,
    options?: { highWaterMark?: number; wait?: number; maxRetries?: number; logger?: { debug(...args: unknown[]): void; info(...args: unknown[]): void; warn(...args: unknown[]): void } },
  ) => KinesisStreamsWritable;
}
