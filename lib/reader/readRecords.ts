/**
 * What {@link fromKinesis} emits: one {@link KinesisReadRecord} per user record, the Kinesis
 * records read from a shard with their KPL aggregates unpacked.
 *
 * @module
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import { decodeAggregate } from '../kinesis/kpl.js';

/**
 * One record read from a stream by {@link fromKinesis}. A plain Kinesis record gives one; a KPL
 * aggregate gives one per user record packed in it, each with its own partition key (and explicit
 * hash key), the aggregate's sequence number and its index in the aggregate as `subSequenceNumber`.
 *
 * @example
 * ```ts
 * fromKinesis({ streamName: 'orders' }).subscribe((record: KinesisReadRecord) => {
 *   const order = JSON.parse(new TextDecoder().decode(record.data));
 *   const at = `${record.shardId} #${record.sequenceNumber}${record.subSequenceNumber === undefined ? '' : `[${record.subSequenceNumber}]`}`;
 *   console.log(order, record.partitionKey, at, record.approximateArrivalTimestamp);
 * });
 * ```
 * @category Reader
 */
export interface KinesisReadRecord {
  /** The record's bytes (for an aggregated user record: its own bytes, not the aggregate's). */
  readonly data: Uint8Array;
  /** The partition key it was written with (for an aggregated user record: its own key, not the aggregate's). */
  readonly partitionKey: string;
  /** The explicit hash key an aggregated user record was written with, if it had one (Kinesis does not return it for plain records). */
  readonly explicitHashKey?: string;
  /** The Kinesis record's sequence number, unique within its shard (shared by the user records of one aggregate). */
  readonly sequenceNumber: string;
  /** The index of the user record inside its aggregate, from 0; absent for a plain record. */
  readonly subSequenceNumber?: number;
  /** The shard it was read from. */
  readonly shardId: string;
  /** When Kinesis received the (aggregate) record. */
  readonly approximateArrivalTimestamp: Date;
}

/**
 * The records one Kinesis record holds: itself when it is plain, its user records when it is a
 * KPL aggregate.
 *
 * @param record - A record of a `GetRecords` answer.
 * @param shardId - The shard it was read from.
 * @returns One record, or one per user record of the aggregate, in order.
 */
export function readRecords(record: _Record, shardId: string): KinesisReadRecord[] {
  const data = record.Data ?? new Uint8Array();
  const where = {
    sequenceNumber: record.SequenceNumber!,
    shardId,
    approximateArrivalTimestamp: record.ApproximateArrivalTimestamp ?? new Date(0),
  };
  const users = decodeAggregate(data);
  if (users === undefined) return [{ data, partitionKey: record.PartitionKey!, ...where }];
  return users.map((user, subSequenceNumber) => ({
    data: user.data,
    partitionKey: user.partitionKey,
    ...(user.explicitHashKey === undefined ? {} : { explicitHashKey: user.explicitHashKey }),
    ...where,
    subSequenceNumber,
  }));
}
