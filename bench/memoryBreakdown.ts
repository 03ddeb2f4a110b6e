/**
 * Where the memory of a waiting record goes: heap and buffer bytes per record, step by step, over
 * 100,000 of the memory scenario's 200-byte events held at once (the item as the bench makes it,
 * the prepared record with its data, the batch arrays). Each figure is the growth of
 * `heapUsed + arrayBuffers` after two full collections, over the records.
 *
 *   node --expose-gc --import tsx bench/memoryBreakdown.ts [records]
 *
 * Figures in bytes per record; noisy by a few bytes. The memory scenario's "B RSS/waiting rec"
 * is larger: RSS also holds the collector's headroom.
 */
import { generateEvents } from './harness/events.js';
import { prepareRecord } from '../lib/producer/prepareRecord.js';
import type { PreparedRecord } from '../lib/producer/prepareRecord.js';
import { resolveSettings } from '../lib/producer/settings.js';

const count = Number(process.argv[2] ?? 100_000);
const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error('run with node --expose-gc');

/** Heap and buffer bytes in use after two full collections. */
function inUse(): number {
  collect!();
  collect!();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const kept: unknown[] = [];
let before = inUse();
/** Runs one step, keeps what it made, and prints its bytes per record. */
function step(label: string, make: () => unknown): void {
  kept.push(make());
  const after = inUse();
  console.log(`${label.padEnd(52)} ${String(Math.round((after - before) / count)).padStart(5)} B/record`);
  before = after;
}

const options = resolveSettings({ streamName: 'bench', partitionKey: 'user', region: 'us-east-1' }).records;
const items = [...generateEvents(count, 200)];
step('the items, as the memory scenario makes them', () => items);
const prepared: PreparedRecord<unknown>[] = [];
step('prepared records, their data included', () => {
  for (const item of items) prepared.push(prepareRecord(item, options));
  return prepared;
});
step('batches of 500 (the arrays)', () => {
  const batches: PreparedRecord<unknown>[][] = [];
  for (let at = 0; at < count; at += 500) batches.push(prepared.slice(at, at + 500));
  return batches;
});
step('for comparison: JSON.stringify of each item, kept', () => items.map((item) => JSON.stringify(item)));
step('for comparison: Buffer.from(JSON) of each item, kept', () => items.map((item) => Buffer.from(JSON.stringify(item))));
if (kept.length === 0) console.log('');
