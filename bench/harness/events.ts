/**
 * The events the benchmark sends: small JSON objects (about 90 bytes serialized), large ones
 * (about 50 KB), and the 200-byte ones of the memory scenario (made one at a time by a generator).
 */

/** One event; `user` is the partition key of every contender. */
export interface BenchEvent {
  readonly id: number;
  readonly user: string;
  readonly action: string;
  readonly page: string;
  readonly ts: number;
  readonly note?: string;
}

/** The field every contender takes its partition key from. */
export const PARTITION_KEY_FIELD = 'user';

const ACTIONS = ['click', 'view', 'scroll', 'buy'] as const;

function event(id: number, note?: string): BenchEvent {
  const base = {
    id,
    user: `user-${String(id % 1000).padStart(4, '0')}`,
    action: ACTIONS[id % ACTIONS.length]!,
    page: `/products/${(id * 7919) % 100_000}`,
    ts: 1_700_000_000_000 + id,
  };
  return note === undefined ? base : { ...base, note };
}

/** A printable filler of the given length (varied so it does not look like a single repeated byte). */
function filler(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  let text = '';
  for (let index = 0; text.length < length; index++) text += alphabet[(index * 31 + (index >> 3)) % alphabet.length];
  return text.slice(0, length);
}

/**
 * Events whose JSON is about `bytes` long.
 *
 * @param count - How many.
 * @param bytes - The serialized size to aim for (at least about 90: the fixed fields).
 * @returns The events, ids 0 .. count-1.
 */
export function makeEvents(count: number, bytes: number): BenchEvent[] {
  const fixed = JSON.stringify(event(count)).length;
  const note = bytes > fixed + 10 ? filler(bytes - fixed - 10) : undefined;
  const events: BenchEvent[] = new Array<BenchEvent>(count);
  for (let id = 0; id < count; id++) events[id] = event(id, note);
  return events;
}

/**
 * The same events, made one at a time (the memory scenario's source: nothing is held up front).
 *
 * @param count - How many.
 * @param bytes - The serialized size to aim for.
 * @yields One event at a time.
 */
export function* generateEvents(count: number, bytes: number): Generator<BenchEvent> {
  const fixed = JSON.stringify(event(count)).length;
  const note = bytes > fixed + 10 ? filler(bytes - fixed - 10) : undefined;
  for (let id = 0; id < count; id++) yield event(id, note);
}

/** The mean serialized size of some events. */
export function meanJsonBytes(events: readonly BenchEvent[]): number {
  const sample = events.slice(0, 100);
  return sample.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / Math.max(1, sample.length);
}
