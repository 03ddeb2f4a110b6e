/**
 * Request planning: the one path from records waiting to be sent to `PutRecords` requests within
 * the service limits. Today it packs records in order; it is where planning by key (ordering that
 * survives retries) and by predicted shard (rate limiting) will go. With aggregation, user records
 * are first packed into aggregates by `packAggregates` (`aggregation.ts`, once per batch, so that
 * a retry resends the same aggregates), and those Kinesis records are planned here.
 *
 * @module
 */
import type { AcceptedRecord } from './prepareRecord.js';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST, MAX_REQUEST_BODY_BYTES } from '../kinesis/limits.js';

/** Limits of one `PutRecords` request. */
export interface RequestLimits {
  readonly maxRecords: number;
  /** Data plus partition key bytes, as the service counts them. */
  readonly maxBytes: number;
  /** Bytes of the entries in the HTTP body (base64 data, JSON-quoted keys). */
  readonly maxWireBytes: number;
}

/** Room left in the body for its head and tail (the stream's name or ARN). */
const BODY_FRAME_BYTES = 4 * 1024;

/** The service's limits for one `PutRecords` request, and the local emulators' body limit. */
export const SERVICE_REQUEST_LIMITS: RequestLimits = {
  maxRecords: MAX_RECORDS_PER_REQUEST,
  maxBytes: MAX_BYTES_PER_REQUEST,
  maxWireBytes: MAX_REQUEST_BODY_BYTES - BODY_FRAME_BYTES,
};

/** A Kinesis record waiting to be sent: a user record as it is, or an aggregate of user records. */
export interface Outgoing {
  readonly record: AcceptedRecord<unknown>;
}

/** One request: what it carries (in order), the Kinesis records it sends, and their bytes. */
export interface PlannedRequest<S extends Outgoing> {
  readonly outgoing: readonly S[];
  readonly records: readonly AcceptedRecord<unknown>[];
  readonly bytes: number;
}

/**
 * Packs records, in order, into as few requests as the limits allow: 500 records, 5 MiB of data
 * and keys, and a body the local emulators accept. A record larger than `maxBytes` on its own
 * (possible only with `maxRecordBytes` over 5 MiB) goes in a request alone.
 *
 * @param waiting - Records to send, in the order they should be sent.
 * @param limits - Records and bytes per request.
 * @returns The requests, in order; empty when nothing is waiting.
 */
export function planRequests<S extends Outgoing>(waiting: readonly S[], limits: RequestLimits = SERVICE_REQUEST_LIMITS): PlannedRequest<S>[] {
  const requests: PlannedRequest<S>[] = [];
  let outgoing: S[] = [];
  let records: AcceptedRecord<unknown>[] = [];
  let bytes = 0;
  let wireBytes = 0;
  for (const next of waiting) {
    const { record } = next;
    const full =
      outgoing.length >= limits.maxRecords || bytes + record.bytes > limits.maxBytes || wireBytes + record.wireBytes > limits.maxWireBytes;
    if (outgoing.length > 0 && full) {
      requests.push({ outgoing, records, bytes });
      outgoing = [];
      records = [];
      bytes = 0;
      wireBytes = 0;
    }
    outgoing.push(next);
    records.push(record);
    bytes += record.bytes;
    wireBytes += record.wireBytes;
  }
  if (outgoing.length > 0) requests.push({ outgoing, records, bytes });
  return requests;
}
