/**
 * Read back: write with `toKinesis({ aggregation: true })`, read the stream with `fromKinesis`.
 *
 * 1,000 orders are written with KPL aggregation (many orders per Kinesis record), then the stream
 * is read as an Observable: every shard, from the time writing started, aggregates unpacked into
 * the orders they carry. Each order read back is checked against where `toKinesis` said it landed
 * (shard, sequence number, index in its aggregate). `fromKinesis` never completes on its own (a
 * stream has no end): `take` stops it once every order is back, and `timeout` if one is missing.
 *
 * Run: npm run example -- read-back
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { filter, from, lastValueFrom, map, mergeMap, take, tap, timeout, toArray } from 'rxjs';
import { fromKinesis, toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Order {
  readonly run: string;
  readonly id: number;
  readonly customer_id: string;
}

const COUNT = 1000;
const target = await exampleTarget('example-read-back', 2);
try {
  const run = new Date().toISOString();
  const orders: Order[] = Array.from({ length: COUNT }, (_, id) => ({ run, id, customer_id: `customer-${id % 40}` }));
  const startedAt = new Date(Date.now() - 1000); // a little earlier, for a clock behind the service's

  // Write: each result says where every order landed.
  const landed = new Map<string, number>();
  await lastValueFrom(
    from(orders).pipe(
      toKinesis({ streamName: target.streamName, ...target.connection, partitionKey: 'customer_id', aggregation: true, batch: { size: COUNT, duration: '200ms' } }),
      mergeMap((batch) => batch.records),
      tap((result) => {
        if (result.status !== 'ok') throw new Error(`order ${result.item.id} not written: ${result.errorCode}`);
        landed.set(`${result.shardId}/${result.sequenceNumber}/${result.subSequenceNumber}`, result.item.id);
      }),
    ),
    { defaultValue: undefined },
  );
  const kinesisRecords = new Set([...landed.keys()].map((key) => key.split('/').slice(0, 2).join('/'))).size;
  console.log(`wrote ${COUNT} orders in ${kinesisRecords} aggregated Kinesis records`);

  // Read: every shard, from when writing started; only this run's orders (another Kinesis may hold more).
  const decoder = new TextDecoder();
  const read = await lastValueFrom(
    fromKinesis({ streamName: target.streamName, ...target.connection, startingPosition: startedAt, pollInterval: '200ms' }).pipe(
      map((record) => ({ record, order: JSON.parse(decoder.decode(record.data)) as Order })),
      filter(({ order }) => order.run === run),
      take(COUNT),
      timeout({ each: 30_000 }),
      toArray(),
    ),
  );

  const misplaced = read.filter(({ record, order }) => landed.get(`${record.shardId}/${record.sequenceNumber}/${record.subSequenceNumber}`) !== order.id);
  const ids = new Set(read.map(({ order }) => order.id));
  const perShard = new Map<string, number>();
  for (const { record } of read) perShard.set(record.shardId, (perShard.get(record.shardId) ?? 0) + 1);
  for (const [shardId, count] of perShard) console.log(`  ${shardId}: ${count} orders`);
  const { record, order } = read[0]!;
  console.log(`  first: order ${order.id}, key ${record.partitionKey}, ${record.shardId} #${record.sequenceNumber} [${record.subSequenceNumber}], arrived ${record.approximateArrivalTimestamp.toISOString()}`);
  if (ids.size === COUNT && misplaced.length === 0) console.log(`OK: read back all ${COUNT} orders, each where toKinesis said it landed`);
  else {
    console.log(`MISMATCH: ${ids.size} distinct orders of ${COUNT}, ${misplaced.length} not where toKinesis said`);
    process.exitCode = 1;
  }
} finally {
  await target.close();
}
