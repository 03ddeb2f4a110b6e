/**
 * Request planning: the one path from records waiting to be sent to `PutRecords` requests within
 * the service limits. Today it packs records in order; it is where planning by key (ordering that
 * survives retries) and by predicted shard (rate limiting) will go.
 *
 * @module
 */
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from './limits.js';
import type { AcceptedRecord } from './records.js';

/** Limits of one `PutRecords` request. */
export interface RequestLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/** The service's limits for one `PutRecords` request. */
export const SERVICE_REQUEST_LIMITS: RequestLimits = { maxRecords: MAX_RECORDS_PER_REQUEST, maxBytes: MAX_BYTES_PER_REQUEST };

/** Anything waiting to be sent that carries a prepared record. */
export interface Sendable {
  readonly record: AcceptedRecord<unknown>;
}

/** One request: what it carries, in order, its records, and their bytes. */
export interface PlannedRequest<S extends Sendable> {
  readonly members: readonly S[];
  readonly records: readonly AcceptedRecord<unknown>[];
  readonly bytes: number;
}

/**
 * Packs records, in order, into as few requests as the limits allow. A record larger than
 * `maxBytes` on its own (possible only with `maxRecordBytes` over 5 MiB) goes in a request alone.
 *
 * @param waiting - Records to send, in the order they should be sent.
 * @param limits - Records and bytes per request.
 * @returns The requests, in order; empty when nothing is waiting.
 */
export function planRequests<S extends Sendable>(waiting: readonly S[], limits: RequestLimits = SERVICE_REQUEST_LIMITS): PlannedRequest<S>[] {
  const requests: PlannedRequest<S>[] = [];
  let members: S[] = [];
  let records: AcceptedRecord<unknown>[] = [];
  let bytes = 0;
  for (const member of waiting) {
    const size = member.record.bytes;
    if (members.length > 0 && (members.length >= limits.maxRecords || bytes + size > limits.maxBytes)) {
      requests.push({ members, records, bytes });
      members = [];
      records = [];
      bytes = 0;
    }
    members.push(member);
    records.push(member.record);
    bytes += size;
  }
  if (members.length > 0) requests.push({ members, records, bytes });
  return requests;
}
