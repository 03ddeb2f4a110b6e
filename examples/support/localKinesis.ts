/**
 * An embedded Kinesis for the demo, the examples and the tests: kinesalite, in memory, in this
 * process, on a free port; plus the helpers to create a stream and read everything back.
 */
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';

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

  const createStream = async (name: string, shardCount = 1): Promise<void> => {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    for (;;) {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const readStream = async (name: string): Promise<StoredRecord[]> => {
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: name }));
    const records: StoredRecord[] = [];
    for (const shard of Shards) {
      const shardId = shard.ShardId!;
      let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })))
        .ShardIterator;
      while (iterator !== undefined) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        for (const record of page.Records ?? []) {
          records.push({
            shardId,
            sequenceNumber: record.SequenceNumber!,
            partitionKey: record.PartitionKey!,
            data: record.Data!,
          });
        }
        iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records;
  };

  const close = async (): Promise<void> => {
    client.destroy();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };

  return { endpoint, credentials, client, createStream, readStream, close };
}
