/**
 * An embedded Kinesis for the demo, the examples and the tests: kinesalite, in memory, in this
 * process, on a free port; plus the helpers to create a stream and read everything back, which
 * work with any client and endpoint (kinesalite, kinesis-mock, LocalStack, AWS).
 */
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { listShards } from '../../lib/kinesis/listShards.js';

/** A record as read back from the stream. */
export interface StoredRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** A running local Kinesis. */
export interface LocalKinesis {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Dummy credentials (kinesalite accepts any). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** A client for the test's own calls (HTTP/1.1: the emulators refuse HTTP/2). */
  readonly client: KinesisClient;
  /** Creates a stream and waits until it is active. */
  createStream(name: string, shardCount?: number): Promise<void>;
  /** Every record of every shard, shard by shard, in sequence order. */
  readStream(name: string): Promise<StoredRecord[]>;
  close(): Promise<void>;
}

/** Records asked for per `GetRecords` call (the service's maximum). */
const RECORDS_PER_PAGE = 10_000;

/**
 * Creates a stream and waits until it is active.
 *
 * @param client - A client for the Kinesis endpoint (any: kinesalite, kinesis-mock, LocalStack, AWS).
 * @param name - The stream's name.
 * @param shardCount - Its shards.
 */
export async function createStream(client: KinesisClient, name: string, shardCount = 1): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  for (;;) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Reads every record of every shard of a stream (`ListShards`, then `GetRecords` from
 * `TRIM_HORIZON` until a page comes back empty): meant for emulators, where an empty page means
 * the end of the shard.
 *
 * @param client - A client for the Kinesis endpoint (any: kinesalite, kinesis-mock, LocalStack).
 * @param name - The stream's name.
 * @returns Every record, shard by shard in the order `ListShards` gives them, each shard in sequence order.
 */
export async function readStream(client: KinesisClient, name: string): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for (const shard of await listShards(client, { StreamName: name })) {
    const shardId = shard.ShardId!;
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_PAGE }));
      for (const record of page.Records ?? []) {
        records.push({ shardId, sequenceNumber: record.SequenceNumber!, partitionKey: record.PartitionKey!, data: record.Data! });
      }
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return records;
}

/**
 * Starts kinesalite in memory on an ephemeral port of 127.0.0.1.
 *
 * @returns The running emulator and its helpers.
 */
export async function startLocalKinesis(): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const client = new KinesisClient({ region: 'us-east-1', endpoint, credentials, requestHandler: new NodeHttpHandler() });

  const close = async (): Promise<void> => {
    client.destroy();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };

  return {
    endpoint,
    credentials,
    client,
    createStream: (name, shardCount) => createStream(client, name, shardCount),
    readStream: (name) => readStream(client, name),
    close,
  };
}
