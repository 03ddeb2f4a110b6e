/**
 * The contenders that use this repository's dependencies: `toKinesis`, a hand-written loop over
 * the raw SDK v3 client (`PutRecords`), and the naive one-`PutRecord`-per-item loop.
 *
 * Every contender sends the first `n` events of `records` to `endpoint` and resolves when all of
 * them are acknowledged; it throws if any was not written.
 */
import http from 'node:http';
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { lastValueFrom, Observable, tap } from 'rxjs';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST, toKinesis } from '../../lib/index.js';
import type { BenchEvent } from '../harness/events.js';

/** What every contender is given besides the records. */
export interface RunOptions {
  readonly streamName: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Records per request for the peers that batch by count only: 500, or fewer when 500 records would pass 5 MiB. */
  readonly peerBatchSize: number;
}

/** Sends the first `n` events of `records` to `endpoint`; resolves when every one is acknowledged. */
export type Contender = (n: number, records: readonly BenchEvent[], endpoint: string, options: RunOptions) => Promise<void>;

/** The first `n` events, pushed synchronously (as `from(array)` would, without copying the array). */
export function firstEvents(records: readonly BenchEvent[], n: number): Observable<BenchEvent> {
  return new Observable<BenchEvent>((subscriber) => {
    for (let index = 0; index < n && !subscriber.closed; index++) subscriber.next(records[index]!);
    subscriber.complete();
  });
}

/**
 * `toKinesis` with `concurrency` batches in flight, consuming every batch result.
 *
 * @param concurrency - Requests in flight at once.
 * @param batchSize - `batch.size` (records per batch; user records with aggregation).
 * @param aggregation - Pack records into KPL aggregates.
 * @returns The contender.
 */
export function toKinesisContender(concurrency: number, batchSize = 500, aggregation = false): Contender {
  return async (n, records, endpoint, options) => {
    let sent = 0;
    let failed = 0;
    await lastValueFrom(
      firstEvents(records, n).pipe(
        toKinesis<BenchEvent>({
          streamName: options.streamName,
          endpoint,
          region: options.region,
          credentials: { ...options.credentials },
          partitionKey: 'user',
          batch: { size: batchSize },
          concurrency,
          aggregation,
        }),
        tap((result) => {
          sent += result.recordCount;
          failed += result.failedRecordCount;
        }),
      ),
      { defaultValue: undefined },
    );
    if (failed !== 0 || sent !== n) throw new Error(`toKinesis reported ${sent} records, ${failed} failed, of ${n}`);
  };
}

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
