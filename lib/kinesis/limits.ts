/**
 * Kinesis Data Streams service limits, as named constants.
 *
 * Every limit here is enforced before a request is sent, so the service never refuses a request
 * for a limit this library knows about.
 *
 * @module
 */

/**
 * One mebibyte (1,048,576 bytes).
 *
 * @example
 * ```ts
 * toKinesis({ streamName: 'events', batch: { maxBytes: 1 * MiB }, backlog: { maxBytes: 64 * MiB } });
 * ```
 * @category Limits
 */
export const MiB = 1024 * 1024;

/**
 * At most this many records in one `PutRecords` request.
 *
 * @example
 * ```ts
 * toKinesis({ streamName: 'events', batch: { size: MAX_RECORDS_PER_REQUEST } }); // 500, also the default
 * ```
 * @category Limits
 */
export const MAX_RECORDS_PER_REQUEST = 500;

/**
 * At most this many bytes (data plus partition key, summed over the records) in one `PutRecords` request.
 *
 * @example
 * ```ts
 * toKinesis({ streamName: 'events', batch: { maxBytes: MAX_BYTES_PER_REQUEST / 5 } }); // 1 MiB requests
 * ```
 * @category Limits
 */
export const MAX_BYTES_PER_REQUEST = 5 * MiB;

/**
 * Default maximum size of one record (data plus partition key): 1 MiB.
 *
 * @example
 * ```ts
 * const fits = (data: Uint8Array, key: string) => data.byteLength + Buffer.byteLength(key) <= DEFAULT_MAX_RECORD_BYTES;
 * ```
 * @category Limits
 */
export const DEFAULT_MAX_RECORD_BYTES = 1 * MiB;

/**
 * The largest record size a stream can be configured for (`UpdateMaxRecordSize`): 10 MiB.
 *
 * @example
 * ```ts
 * // For a stream whose maximum record size was raised to 10 MiB:
 * toKinesis({ streamName: 'documents', maxRecordBytes: MAX_RECORD_BYTES_CEILING });
 * ```
 * @category Limits
 */
export const MAX_RECORD_BYTES_CEILING = 10 * MiB;

/**
 * At most this many bytes (data plus partition key) in one `PutRecords` request for the service
 * since 2025: 10 MiB. `toKinesis` sends up to it only when `batch.maxBytes` is raised above
 * {@link MAX_BYTES_PER_REQUEST} (the local emulators take about 7 MiB of HTTP body).
 *
 * @example
 * ```ts
 * toKinesis({ streamName: 'documents', batch: { maxBytes: SERVICE_MAX_BYTES_PER_REQUEST } }); // 10 MiB requests, the service only
 * ```
 * @category Limits
 */
export const SERVICE_MAX_BYTES_PER_REQUEST = 10 * MiB;

/**
 * The largest HTTP body of one `PutRecords` request this library sends by default: 7 MiB, the
 * limit of the local emulators (kinesalite answers 413 above it). 5 MiB of data base64-encodes to
 * under 6.7 MiB, so this bites only for keys that JSON escaping makes much longer.
 */
export const MAX_REQUEST_BODY_BYTES = 7 * MiB;

/**
 * The largest HTTP body of one `PutRecords` request when `batch.maxBytes` is raised over 5 MiB:
 * 10 MiB of data base64-encoded (4/3), with room for the keys and the JSON around them.
 */
export const SERVICE_MAX_REQUEST_BODY_BYTES = 14 * MiB;

/**
 * A shard takes at most this many records per second (provisioned and on-demand streams alike);
 * over it, records come back as `ProvisionedThroughputExceededException`.
 *
 * @example
 * ```ts
 * // Leave half of each shard to another application writing to the same stream:
 * toKinesis({ streamName: 'events', shardLimit: { recordsPerSecond: SHARD_RECORDS_PER_SECOND / 2 } });
 * ```
 * @category Limits
 */
export const SHARD_RECORDS_PER_SECOND = 1_000;

/**
 * A shard takes at most this many bytes (data plus partition key) per second: 1 MiB.
 *
 * @example
 * ```ts
 * toKinesis({ streamName: 'events', shardLimit: { bytesPerSecond: SHARD_BYTES_PER_SECOND / 2 } });
 * ```
 * @category Limits
 */
export const SHARD_BYTES_PER_SECOND = MiB;

/**
 * A partition key is 1 to this many characters (UTF-16 code units, as the service counts them).
 *
 * @example
 * ```ts
 * toKinesis<Page>({ streamName: 'pages', partitionKey: (page) => page.url.slice(0, MAX_PARTITION_KEY_LENGTH) });
 * ```
 * @category Limits
 */
export const MAX_PARTITION_KEY_LENGTH = 256;

/**
 * The largest explicit hash key: 2^128 - 1.
 *
 * @example
 * ```ts
 * // Pin each job to shard `job.slot` of a stream created with 4 shards (equal hash ranges):
 * const start = (slot: number, shards: number) => ((MAX_EXPLICIT_HASH_KEY + 1n) / BigInt(shards)) * BigInt(slot);
 * toKinesis<Job>({ streamName: 'jobs', explicitHashKey: (job) => String(start(job.slot, 4)) });
 * ```
 * @category Limits
 */
export const MAX_EXPLICIT_HASH_KEY = (1n << 128n) - 1n;

/**
 * At most this many records in one `GetRecords` answer (the service's maximum `Limit`).
 *
 * @example
 * ```ts
 * fromKinesis({ streamName: 'events', limit: MAX_GET_RECORDS_LIMIT / 10 }); // pages of 1,000 records
 * ```
 * @category Limits
 */
export const MAX_GET_RECORDS_LIMIT = 10_000;

/**
 * The service allows this many `GetRecords` calls per second on one shard (shared by every consumer of the shard).
 *
 * @example
 * ```ts
 * const consumers = 2; // two readers of the same stream share each shard's calls
 * fromKinesis({ streamName: 'events', pollInterval: (1000 / MAX_GET_RECORDS_PER_SECOND) * consumers });
 * ```
 * @category Limits
 */
export const MAX_GET_RECORDS_PER_SECOND = 5;

/**
 * The shortest wait between two `GetRecords` calls on one shard: 200 ms, from {@link MAX_GET_RECORDS_PER_SECOND}.
 *
 * @example
 * ```ts
 * fromKinesis({ streamName: 'events', pollInterval: MIN_POLL_INTERVAL_MS }); // the lowest latency the service allows
 * ```
 * @category Limits
 */
export const MIN_POLL_INTERVAL_MS = 1000 / MAX_GET_RECORDS_PER_SECOND;
