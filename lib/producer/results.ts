/**
 * Reporting: the typed results emitted by {@link toKinesis}, one per batch, with one outcome per
 * item. Built in one place, here.
 *
 * @module
 */

/**
 * A record that was written: where it landed.
 *
 * @example
 * ```ts
 * for (const record of batch.records) {
 *   if (record.status === 'ok') console.log(`${record.partitionKey} -> ${record.shardId} #${record.sequenceNumber} (${record.attempts} attempts)`);
 * }
 * ```
 * @category Producer
 */
export interface KinesisRecordSuccess<T> {
  /** Written. */
  readonly status: 'ok';
  /** The item, as it came from the source. */
  readonly item: T;
  /** The record's partition key. */
  readonly partitionKey: string;
  /** The shard the record was written to. */
  readonly shardId: string;
  /** The record's sequence number in its shard (with aggregation: the sequence number of the aggregate that carried it). */
  readonly sequenceNumber: string;
  /**
   * With aggregation, for a record sent inside a KPL aggregate: its index in the aggregate, which
   * consumers that unpack aggregates (KCL, `aws-kinesis-agg`) report as its sub-sequence number.
   * Absent for a record sent on its own.
   */
  readonly subSequenceNumber?: number;
  /** `PutRecords` attempts this record took (1 when it went through the first time). */
  readonly attempts: number;
  /**
   * Present (`true`) when an earlier attempt's outcome was unknown (a connection cut after sending,
   * a timeout, a 5xx answer, an answer that could not be read), or, with aggregation, the record was
   * first written inside an aggregate that a reshard sent to another shard: the stream may hold it
   * more than once. Absent when every earlier attempt was refused (it is in the stream once).
   */
  readonly possiblyDuplicated?: true;
}

/**
 * A record that was not written, and why.
 *
 * @example
 * ```ts
 * events$
 *   .pipe(
 *     toKinesis({ streamName: 'events' }),
 *     mergeMap((batch) => batch.records),
 *     filter((record): record is KinesisRecordFailure<Event> => record.status === 'failed'),
 *   )
 *   .subscribe((failed) => deadLetters.push({ event: failed.item, reason: `${failed.errorCode}: ${failed.errorMessage}` }));
 * ```
 * @category Producer
 */
export interface KinesisRecordFailure<T> {
  /** Not written. */
  readonly status: 'failed';
  /** The item, as it came from the source. */
  readonly item: T;
  /** The partition key, when one could be computed. */
  readonly partitionKey?: string;
  /**
   * The service's error code (`ProvisionedThroughputExceededException`, `ResourceNotFoundException`,
   * ...) or a client-side one (`RecordTooLarge`, `InvalidPartitionKey`, `InvalidExplicitHashKey`,
   * `SerializationError`).
   */
  readonly errorCode: string;
  /** The service's message, or what the client-side check found. */
  readonly errorMessage: string;
  /** `PutRecords` attempts this record took; 0 when it was refused before sending. */
  readonly attempts: number;
  /**
   * `true` when the record may be in the stream all the same: an attempt's outcome was unknown (a
   * connection cut after the request was sent, a timeout, a 5xx answer, an answer that could not
   * be read), or, with aggregation, it was written inside an aggregate that landed on another
   * shard after a reshard. Resending such a record can write it twice (delivery is at least once);
   * `false` means no attempt can have written it.
   */
  readonly possiblyWritten: boolean;
}

/**
 * The final outcome of one item: narrow it on `status`.
 *
 * @example
 * ```ts
 * const describe = (record: KinesisRecordResult<Order>): string =>
 *   record.status === 'ok' ? `order ${record.item.id} in ${record.shardId}` : `order ${record.item.id} not written: ${record.errorCode}`;
 * ```
 * @category Producer
 */
export type KinesisRecordResult<T> = KinesisRecordSuccess<T> | KinesisRecordFailure<T>;

/**
 * What happened to one batch: emitted once every record of the batch has its final outcome.
 *
 * @example
 * ```ts
 * events$.pipe(toKinesis({ streamName: 'events' })).subscribe((batch: KinesisBatchResult<Event>) => {
 *   metrics.count('kinesis.written', batch.successfulRecordCount);
 *   metrics.count('kinesis.failed', batch.failedRecordCount);
 *   metrics.timing('kinesis.batch', batch.durationMs);
 * });
 * ```
 * @category Producer
 */
export interface KinesisBatchResult<T> {
  /** The stream written to. */
  readonly streamName: string;
  /** One outcome per item, in the order the items arrived. */
  readonly records: ReadonlyArray<KinesisRecordResult<T>>;
  /** Items in the batch (`records.length`). */
  readonly recordCount: number;
  /** Records with `status: 'ok'`. */
  readonly successfulRecordCount: number;
  /** Records with `status: 'failed'`. */
  readonly failedRecordCount: number;
  /** `PutRecords` rounds this batch took (0 when every record was refused before sending). */
  readonly attempts: number;
  /** Data plus partition key bytes of the records sent (each counted once, whatever the retries). */
  readonly bytes: number;
  /** From the moment the batch was closed to its last outcome, in milliseconds: time queued behind other batches, waiting for a shard's budget, requests and retries. */
  readonly durationMs: number;
  /**
   * Attempts of this batch's records that a shard refused as over its write limit
   * (`ProvisionedThroughputExceededException`, per record or for a whole request), each retried
   * after a backoff. 0 when no record was throttled; with the shard limiter on, throttles are rare
   * once each shard's budget has adapted. With aggregation, each user record of a throttled
   * aggregate counts.
   */
  readonly throttledRecordAttempts: number;
  /**
   * With aggregation only: the Kinesis records the batch's items were packed into (aggregates,
   * and records sent on their own). `recordCount / kinesisRecordCount` is the packing ratio.
   */
  readonly kinesisRecordCount?: number;
}

/**
 * The outcome of a record that was not written.
 *
 * @param item - The item.
 * @param partitionKey - Its key, when one could be computed.
 * @param errorCode - Why, as a code.
 * @param errorMessage - Why, in words.
 * @param attempts - `PutRecords` attempts it took (0 when refused before sending).
 * @param possiblyWritten - Whether an attempt may have written it.
 * @returns The failure; `partitionKey` is left out when unknown.
 */
export function failedRecord<T>(
  item: T,
  partitionKey: string | undefined,
  errorCode: string,
  errorMessage: string,
  attempts: number,
  possiblyWritten = false,
): KinesisRecordFailure<T> {
  return partitionKey === undefined
    ? { status: 'failed', item, errorCode, errorMessage, attempts, possiblyWritten }
    : { status: 'failed', item, partitionKey, errorCode, errorMessage, attempts, possiblyWritten };
}

/** How a batch went, besides its outcomes. */
export interface BatchFigures {
  /** `PutRecords` rounds taken. */
  readonly attempts: number;
  /** Bytes of the records sent. */
  readonly bytes: number;
  /** `performance.now()` when the batch was closed. */
  readonly closedAt: number;
  /** Attempts of its records that came back throttled. */
  readonly throttledRecordAttempts: number;
  /** With aggregation: the Kinesis records the items were packed into. */
  readonly kinesisRecordCount?: number | undefined;
}

/**
 * Assembles a batch result from the final outcome of every record.
 *
 * @param streamName - The stream written to.
 * @param records - One outcome per item, in arrival order.
 * @param figures - Rounds, bytes, when it was closed, throttled attempts, Kinesis records.
 * @returns The batch result.
 */
export function batchResult<T>(streamName: string, records: ReadonlyArray<KinesisRecordResult<T>>, figures: BatchFigures): KinesisBatchResult<T> {
  const { attempts, bytes, closedAt, throttledRecordAttempts, kinesisRecordCount } = figures;
  let failedRecordCount = 0;
  for (const record of records) if (record.status === 'failed') failedRecordCount++;
  const result = {
    streamName,
    records,
    recordCount: records.length,
    successfulRecordCount: records.length - failedRecordCount,
    failedRecordCount,
    attempts,
    bytes,
    durationMs: performance.now() - closedAt,
    throttledRecordAttempts,
  };
  return kinesisRecordCount === undefined ? result : { ...result, kinesisRecordCount };
}

/**
 * Counts the failed records by error code.
 *
 * @param records - Record outcomes.
 * @param into - Counts to add to (a running total); default: new counts.
 * @returns The counts by error code.
 * @category Producer
 */
export function countFailures(records: ReadonlyArray<KinesisRecordResult<unknown>>, into: Map<string, number> = new Map()): Map<string, number> {
  for (const record of records) if (record.status === 'failed') into.set(record.errorCode, (into.get(record.errorCode) ?? 0) + 1);
  return into;
}
