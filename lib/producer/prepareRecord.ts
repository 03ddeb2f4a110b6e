/**
 * Record preparation: each item becomes, exactly once, either a record ready to send (key, hash
 * key, bytes, size) or a record rejected on the client with the reason why.
 *
 * @module
 */
import { RecordRejection } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import { RANDOM_KEY_LENGTH, randomKey } from './partitionKey.js';
import type { ExplicitHashKeyOf, PartitionKeyOf } from './partitionKey.js';
import { serializeItem } from './serialize.js';
import type { DataPlace, Serializer } from './serialize.js';
import { entryBytesOf, quotedKeyBytes } from '../kinesis/sizes.js';
import { formatBytes } from '../shared/format.js';

/** An item turned into a record that can be sent. */
export interface AcceptedRecord<T> {
  readonly accepted: true;
  readonly item: T;
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  /**
   * Where the record's data is: `dataBytes` bytes of `data` from `dataStart` (a prepared record's
   * text shares a slab with other records'; read the bytes as one view with `dataOf`).
   */
  readonly data: Uint8Array;
  readonly dataStart: number;
  readonly dataBytes: number;
  /** Data plus partition key bytes, as the service counts them. */
  readonly bytes: number;
  /** Bytes of the record's entry in the request body (base64 data, JSON-quoted key). */
  readonly wireBytes: number;
}

/** An item refused before sending; it will be reported as failed and never sent. */
export interface RejectedRecord<T> {
  readonly accepted: false;
  readonly item: T;
  readonly partitionKey: string | undefined;
  readonly errorCode: ClientErrorCode;
  readonly errorMessage: string;
  readonly bytes: 0;
}

/** What an item becomes before batching. */
export type PreparedRecord<T> = AcceptedRecord<T> | RejectedRecord<T>;

/** The per-record settings used to prepare records. */
export interface RecordOptions<T> {
  readonly partitionKeyOf: PartitionKeyOf<T>;
  readonly explicitHashKeyOf: ExplicitHashKeyOf<T>;
  readonly serialize: Serializer<T>;
  readonly maxRecordBytes: number;
}

/** Where the data of the record being prepared is (one object, reused: records are prepared one at a time). */
const place: DataPlace = { buffer: new Uint8Array(0), start: 0, bytes: 0 };

/** A record refused on the client. */
const rejected = <T>(item: T, partitionKey: string | undefined, rejection: RecordRejection): RejectedRecord<T> => ({
  accepted: false,
  item,
  partitionKey,
  errorCode: rejection.errorCode,
  errorMessage: rejection.errorMessage,
  bytes: 0,
});

/**
 * Prepares one item: its partition key, explicit hash key, bytes and size, checked against the
 * limits. Never throws for a bad item: the item is rejected instead (each step returns its
 * rejection as a value).
 *
 * @param item - The item from the source.
 * @param options - The per-record settings.
 * @returns The record to send, or the rejection.
 */
export function prepareRecord<T>(item: T, options: RecordOptions<T>): PreparedRecord<T> {
  const partitionKey = options.partitionKeyOf(item);
  if (typeof partitionKey !== 'string') return rejected(item, undefined, partitionKey);
  const explicitHashKey = options.explicitHashKeyOf(item);
  if (explicitHashKey instanceof RecordRejection) return rejected(item, partitionKey, explicitHashKey);
  const refused = serializeItem(options.serialize, item, place);
  if (refused !== undefined) return rejected(item, partitionKey, refused);
  const { buffer: data, start: dataStart, bytes: dataBytes } = place;
  // The key's bytes, measured once: for the service's count, and for the body's (a generated key is known: ASCII, nothing to escape).
  const generatedKey = options.partitionKeyOf === randomKey;
  const keyBytes = generatedKey ? RANDOM_KEY_LENGTH : Buffer.byteLength(partitionKey, 'utf8');
  const bytes = dataBytes + keyBytes;
  if (bytes > options.maxRecordBytes) {
    return rejected(item, partitionKey, new RecordRejection('RecordTooLarge', tooLarge(bytes, dataBytes, `the limit of ${formatBytes(options.maxRecordBytes)}`)));
  }
  return { accepted: true, item, partitionKey, explicitHashKey, data, dataStart, dataBytes, bytes, wireBytes: entryBytesOf(dataBytes, generatedKey ? RANDOM_KEY_LENGTH + 2 : quotedKeyBytes(partitionKey, keyBytes), explicitHashKey) };
}

/** Why a record is too large: its size, data and key, and the limit it is over. */
const tooLarge = (bytes: number, dataBytes: number, limit: string): string =>
  `record is ${formatBytes(bytes)} (data ${formatBytes(dataBytes)} + partition key ${formatBytes(bytes - dataBytes)}), over ${limit}`;

/**
 * Refuses the records of a batch that are over the stream's own record limit (`maxRecordBytes:
 * 'stream'`, once `DescribeStreamSummary` has said it): each becomes a `RecordTooLarge`
 * rejection, reported in its batch's result like any record refused on the client.
 *
 * @example
 * ```ts
 * const { batch: checked, refusedBytes } = refuseOverStreamLimit(batch, 2 * 1024 * 1024, 'orders');
 * ```
 * @param batch - Prepared records (checked against the 10 MiB ceiling only).
 * @param limit - The stream's record limit, in bytes.
 * @param streamName - The stream, for the message.
 * @returns The batch (the same array when nothing is over), and the bytes of the records refused.
 */
export function refuseOverStreamLimit<T>(batch: PreparedRecord<T>[], limit: number, streamName: string): { batch: PreparedRecord<T>[]; refusedBytes: number } {
  let refusedBytes = 0;
  let checked = batch;
  batch.forEach((record, index) => {
    if (!record.accepted || record.bytes <= limit) return;
    if (checked === batch) checked = [...batch];
    refusedBytes += record.bytes;
    const errorMessage = tooLarge(record.bytes, record.dataBytes, `the record limit of stream '${streamName}' (${formatBytes(limit)}, its MaxRecordSizeInKiB)`);
    checked[index] = { accepted: false, item: record.item, partitionKey: record.partitionKey, errorCode: 'RecordTooLarge', errorMessage, bytes: 0 };
  });
  return { batch: checked, refusedBytes };
}
