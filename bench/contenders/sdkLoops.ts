/**
 * The contenders written over the SDK v3 client: a hand-written `PutRecords` loop, and the naive
 * one-`PutRecord`-per-item loop.
 */
import http from 'node:http';
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from '../../lib/index.js';
import type { Contender, RunOptions } from '../harness/contender.js';
import type { BenchEvent } from '../harness/events.js';

/** An SDK v3 client as the README recommends for local endpoints: HTTP/1.1 keep-alive, `maxSockets` sockets. */
function sdkClient(endpoint: string, options: RunOptions, maxSockets: number): KinesisClient {
  return new KinesisClient({
    region: options.region,
    endpoint,
    credentials: { ...options.credentials },
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets }) }),
  });
}

/** Serializes events into request entries, at most 500 records and 5 MiB (data + key) per request. */
function* sdkBatches(records: readonly BenchEvent[], n: number): Generator<PutRecordsRequestEntry[]> {
  let batch: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (let index = 0; index < n; index++) {
    const item = records[index]!;
    const entry = { Data: Buffer.from(JSON.stringify(item)), PartitionKey: item.user };
    const size = entry.Data.length + Buffer.byteLength(entry.PartitionKey);
    if (batch.length > 0 && (batch.length >= MAX_RECORDS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/**
 * The raw SDK loop: serialize up to 500 events with `JSON.stringify` into Buffers, send them with
 * one `PutRecordsCommand`, await it, repeat. One request at a time.
 */
export const rawSdkLoop: Contender = async (n, records, endpoint, options) => {
  const client = sdkClient(endpoint, options, 1);
  try {
    for (const batch of sdkBatches(records, n)) {
      const output = await client.send(new PutRecordsCommand({ StreamName: options.streamName, Records: batch }));
      if (output.FailedRecordCount !== 0 || output.Records?.length !== batch.length) {
        throw new Error(`PutRecords answered ${output.Records?.length} entries, ${output.FailedRecordCount} failed, for ${batch.length}`);
      }
    }
  } finally {
    client.destroy();
  }
};

/** The naive loop: one `PutRecordCommand` per event, awaited before the next. */
export const naivePutRecordLoop: Contender = async (n, records, endpoint, options) => {
  const client = sdkClient(endpoint, options, 1);
  try {
    for (let index = 0; index < n; index++) {
      const item = records[index]!;
      const output = await client.send(
        new PutRecordCommand({ StreamName: options.streamName, Data: Buffer.from(JSON.stringify(item)), PartitionKey: item.user }),
      );
      if (output.SequenceNumber === undefined) throw new Error('PutRecord answered no sequence number');
    }
  } finally {
    client.destroy();
  }
};
