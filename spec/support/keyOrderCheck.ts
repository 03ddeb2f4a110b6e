/**
 * Per-key order, as a consumer sees it: given the user records of a stream in the order a
 * consumer reads them (shard by shard, parents before children, each shard in sequence order;
 * KPL aggregates unpacked), counts the records that landed out of their key's order. Used by the
 * ordering specs and the `ordering` bench scenario.
 */
import { decodeAggregate } from '../../lib/kinesis/kpl.js';

/** A user record's key and its place in the key's sequence (the order it entered the producer). */
export interface KeyedEvent {
  readonly id: string | number;
  readonly key: string;
  /** 0, 1, 2, ... per key, in entry order. */
  readonly seq: number;
}

/** What the check found. */
export interface KeyOrderReport {
  /** Distinct user records in the stream. */
  readonly distinct: number;
  /** Copies beyond the first. */
  readonly duplicates: number;
  /** First copies that landed after a later record of their key (the "out of their key's order"). */
  readonly outOfOrder: number;
  /** A few of them, for a failing test's message. */
  readonly examples: readonly string[];
}

/**
 * The user records in a Kinesis record's data: the aggregate's, unpacked, or the record itself.
 *
 * @param data - A stored record's data.
 * @returns The events it carries, in order.
 */
export function eventsIn(data: Uint8Array): KeyedEvent[] {
  const users = decodeAggregate(data);
  return (users === undefined ? [data] : users.map((user) => user.data)).map((bytes) => JSON.parse(Buffer.from(bytes).toString('utf8')) as KeyedEvent);
}

/**
 * Counts the records out of their key's order.
 *
 * @param events - User records in the order a consumer reads them.
 * @returns Distinct records, duplicates, and the first copies that came after a later record of their key.
 */
export function checkKeyOrder(events: Iterable<KeyedEvent>): KeyOrderReport {
  const seen = new Set<string | number>();
  const highest = new Map<string, number>();
  let duplicates = 0;
  let outOfOrder = 0;
  const examples: string[] = [];
  for (const event of events) {
    if (seen.has(event.id)) {
      duplicates++;
      continue;
    }
    seen.add(event.id);
    const high = highest.get(event.key) ?? -1;
    if (event.seq < high) {
      outOfOrder++;
      if (examples.length < 5) examples.push(`${event.key}#${event.seq} after #${high}`);
    } else highest.set(event.key, event.seq);
  }
  return { distinct: seen.size, duplicates, outOfOrder, examples };
}
