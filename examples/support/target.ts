/**
 * Where the examples send their records: the one place that decides it.
 *
 * - `KINESIS_ENDPOINT` unset: an embedded kinesalite is started in this process, on a free port,
 *   and the stream is created on it. Nothing else needs to run.
 * - `KINESIS_ENDPOINT` set (LocalStack, kinesis-mock, a VPC endpoint, ...): records go there, to
 *   the stream named by `KINESIS_STREAM` (or the example's own stream name), in `AWS_REGION`.
 *   That stream must already exist, and credentials come from the standard AWS chain (for
 *   LocalStack, e.g. `AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`).
 *
 * @example
 * ```ts
 * const target = await exampleTarget('orders');
 * try {
 *   await lastValueFrom(orders$.pipe(toKinesis({ streamName: target.streamName, ...target.connection })));
 * } finally {
 *   await target.close();
 * }
 * ```
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { startLocalKinesis } from './localKinesis.js';
import type { StoredRecord } from './localKinesis.js';
import type { KinesisCredentials } from '../../lib/shared/client.js';

/** The "where" part of a `toKinesis` config: spread it into the config next to `streamName`. */
export interface Connection {
  readonly endpoint: string;
  readonly region?: string;
  readonly credentials?: KinesisCredentials;
}

/** A stream to send to, and how to reach it. */
export interface ExampleTarget {
  readonly streamName: string;
  readonly connection: Connection;
  /** The stream's ARN, as the embedded kinesalite describes it; `undefined` for an external endpoint. */
  readonly streamARN?: string;
  /** Reads back every record of the stream on the embedded kinesalite; `undefined` for an external endpoint. */
  readonly read?: () => Promise<StoredRecord[]>;
  /** Stops the embedded kinesalite (a no-op for an external endpoint), so the process can exit. */
  close(): Promise<void>;
}

/**
 * Finds, or makes, the stream an example sends to, and says where it is on stderr.
 *
 * @param streamName - The stream to create on the embedded kinesalite (overridden by `KINESIS_STREAM` with an external endpoint).
 * @param shards - Shards of the stream created on the embedded kinesalite.
 * @returns The stream, how to reach it, and how to clean up.
 */
export async function exampleTarget(streamName: string, shards = 1): Promise<ExampleTarget> {
  const endpoint = process.env['KINESIS_ENDPOINT'];
  if (endpoint !== undefined && endpoint !== '') {
    const region = process.env['AWS_REGION'];
    const target: ExampleTarget = {
      streamName: process.env['KINESIS_STREAM'] || streamName,
      connection: region ? { endpoint, region } : { endpoint },
      close: async () => undefined,
    };
    console.error(`sending to stream '${target.streamName}' at ${endpoint} (KINESIS_ENDPOINT)`);
    return target;
  }

  const local = await startLocalKinesis();
  let streamARN: string | undefined;
  try {
    await local.createStream(streamName, shards);
    const { StreamDescriptionSummary } = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    streamARN = StreamDescriptionSummary?.StreamARN;
  } catch (error) {
    await local.close();
    throw error;
  }
  console.error(`sending to stream '${streamName}' (${shards} shard${shards === 1 ? '' : 's'}) on an embedded kinesalite at ${local.endpoint}`);
  return {
    streamName,
    connection: { endpoint: local.endpoint, credentials: local.credentials },
    ...(streamARN === undefined ? {} : { streamARN }),
    read: () => local.readStream(streamName),
    close: () => local.close(),
  };
}
