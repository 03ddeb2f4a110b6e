/**
 * The demo: N customer events (50,000 by default) piped through `toKinesis` into a 4-shard
 * stream on an embedded kinesalite, keyed by `customer_id`; then the stream is read back, shard
 * by shard, and checked against what was sent.
 *
 * Run: npm start                      (50,000 events)
 *      npm start -- --records 20000
 *
 * Progress goes to stderr every second, the summary to stdout. Exit code 0 when every record was
 * delivered and read back, 1 otherwise.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { lastValueFrom, map, range, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import { startLocalKinesis } from './support/localKinesis.js';

const STREAM = 'demo-events';
const SHARDS = 4;
const CUSTOMERS = 1_000;
const TYPES = ['page_view', 'add_to_cart', 'order_placed', 'payment', 'refund'] as const;

interface CustomerEvent {
  readonly event_id: string;
  readonly customer_id: string;
  readonly type: (typeof TYPES)[number];
  readonly amount: number;
  readonly at: string;
}

const usage = 'usage: npm start [-- --records N]';
let records: number;
try {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '50000' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  records = Number(values.records);
  if (!Number.isSafeInteger(records) || records <= 0) throw new Error(`--records must be a positive integer, got '${values.records}'`);
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A random event of a random customer. */
function makeEvent(): CustomerEvent {
  const type = TYPES[Math.floor(Math.random() * TYPES.length)]!;
  const amount = type === 'page_view' || type === 'add_to_cart' ? 0 : Math.round(Math.random() * 50_000) / 100;
  const customer = Math.floor(Math.random() * CUSTOMERS);
  return { event_id: randomUUID(), customer_id: `cust-${String(customer).padStart(4, '0')}`, type, amount, at: new Date().toISOString() };
}

/** Adds one to a counter in a map. */
const bump = (counts: Map<string, number>, key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);

const kinesis = await startLocalKinesis();
try {
  await kinesis.createStream(STREAM, SHARDS);
  console.log(`rxjs-kinesis demo: ${fmt(records)} events -> stream '${STREAM}' (${SHARDS} shards) on an embedded kinesalite at ${kinesis.endpoint}`);

  // --- Send -------------------------------------------------------------------------------
  const generatedByKey = new Map<string, number>();
  const failuresByCode = new Map<string, number>();
  let sent = 0;
  let failed = 0;
  let batches = 0;

  const startedAt = performance.now();
  const progress = setInterval(() => {
    const rate = sent / ((performance.now() - startedAt) / 1000);
    console.error(`  ... ${fmt(sent)} / ${fmt(records)} records sent (${Math.floor((sent / records) * 100)}%), ${fmt(failed)} failed, ${fmt(rate)} records/s`);
  }, 1000);
  try {
    await lastValueFrom(
      range(0, records).pipe(
        map(() => makeEvent()),
        tap((event) => bump(generatedByKey, event.customer_id)),
        toKinesis({ streamName: STREAM, endpoint: kinesis.endpoint, credentials: kinesis.credentials, partitionKey: 'customer_id' }),
        tap((batch) => {
          batches++;
          sent += batch.recordCount;
          failed += batch.failedRecordCount;
          for (const record of batch.records) if (record.status === 'failed') bump(failuresByCode, record.errorCode);
        }),
      ),
    );
  } finally {
    clearInterval(progress);
  }
  const sendMs = performance.now() - startedAt;
  const rate = sent / (sendMs / 1000);

  // --- Read back and check ----------------------------------------------------------------
  const readStartedAt = performance.now();
  const stored = await kinesis.readStream(STREAM);
  const readMs = performance.now() - readStartedAt;

  const storedByKey = new Map<string, number>();
  const storedByShard = new Map<string, number>();
  const eventIds = new Set<string>();
  let malformed = 0;
  for (const record of stored) {
    bump(storedByKey, record.partitionKey);
    bump(storedByShard, record.shardId);
    const event = JSON.parse(Buffer.from(record.data).toString('utf8')) as CustomerEvent;
    if (event.customer_id !== record.partitionKey) malformed++;
    eventIds.add(event.event_id);
  }
  const keys = new Set([...generatedByKey.keys(), ...storedByKey.keys()]);
  const mismatchedKeys = [...keys].filter((key) => generatedByKey.get(key) !== storedByKey.get(key));
  const duplicates = stored.length - eventIds.size;

  // --- Summary ----------------------------------------------------------------------------
  const delivered = sent - failed;
  const ok = sent === records && failed === 0 && stored.length === records && mismatchedKeys.length === 0 && duplicates === 0 && malformed === 0;
  const failureList = [...failuresByCode].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} x${fmt(count)}`);
  const shardList = [...storedByShard].sort().map(([shard, count]) => `${shard.replace('shardId-', '')}: ${fmt(count)}`);
  const rows: [string, string][] = [
    ['records sent', `${fmt(sent)} of ${fmt(records)} (${fmt(delivered)} delivered)`],
    ['batches', `${fmt(batches)} (PutRecords batches of up to 500)`],
    ['failed records', failed === 0 ? '0' : `${fmt(failed)}: ${failureList.join(', ')}`],
    ['throughput', `${fmt(rate)} records/s (${seconds(sendMs)})`],
    ['read back', `${fmt(stored.length)} records in ${seconds(readMs)} (by shard ${shardList.join(', ')})`],
    ['check', `${fmt(keys.size - mismatchedKeys.length)} of ${fmt(keys.size)} customer keys read back as many records as were generated` +
      (duplicates > 0 ? `; ${fmt(duplicates)} duplicates` : '') + (malformed > 0 ? `; ${fmt(malformed)} records under the wrong key` : '')],
  ];
  console.log('\nSummary');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(15)} ${value}`);
  if (mismatchedKeys.length > 0) {
    const sample = mismatchedKeys.slice(0, 5).map((key) => `${key} expected ${generatedByKey.get(key) ?? 0}, read ${storedByKey.get(key) ?? 0}`);
    console.log(`  mismatches      ${sample.join('; ')}${mismatchedKeys.length > 5 ? '; ...' : ''}`);
  }
  console.log(ok ? `\nOK: all ${fmt(records)} records delivered and read back` : '\nFAILED: not every record was delivered and read back');
  process.exitCode = ok ? 0 : 1;
} catch (error) {
  console.error('demo failed:', error);
  process.exitCode = 1;
} finally {
  await kinesis.close();
}
