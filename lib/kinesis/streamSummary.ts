/**
 * The stream's own record limit, as `DescribeStreamSummary` reports it (`MaxRecordSizeInKiB`,
 * 1,024 to 10,240 KiB: 1 MiB unless raised with `UpdateMaxRecordSize`).
 *
 * @module
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { StreamTarget } from './streamTarget.js';

/**
 * Asks the service for the largest record the stream takes (data plus partition key).
 *
 * @example
 * ```ts
 * await describeMaxRecordBytes(client, { StreamName: 'documents' }); // 2_097_152 once raised to 2 MiB
 * ```
 * @param client - The Kinesis client.
 * @param target - The stream's name and/or ARN.
 * @param signal - Aborts the call.
 * @returns Bytes; `undefined` when the answer does not say (an emulator without the field).
 */
export async function describeMaxRecordBytes(client: KinesisClient, target: StreamTarget, signal?: AbortSignal): Promise<number | undefined> {
  const { StreamDescriptionSummary: summary } = await client.send(new DescribeStreamSummaryCommand(target), signal === undefined ? {} : { abortSignal: signal });
  const kib = summary?.MaxRecordSizeInKiB;
  return typeof kib === 'number' && Number.isSafeInteger(kib) && kib > 0 ? kib * 1024 : undefined;
}
