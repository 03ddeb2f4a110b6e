/**
 * Partition keys: from a field path (`'customer_id'`) or a function of the item.
 *
 * Records with the same key go to the same shard, in order. A key comes from a
 * field path (`partitionKey: 'customer_id'`, or a nested `'order.customer.id'`) or from a
 * function of the item. Every result says which key its record was given, and where it landed.
 * An item without a key fails alone with `InvalidPartitionKey`; the rest of its batch is sent.
 *
 * Run: npm run example -- partition-key
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import type { KinesisBatchResult, ToKinesisConfig } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Order {
  readonly order_id: number;
  readonly customer_id?: string;
  readonly country: string;
  readonly total: number;
}

const orders: Order[] = [
  { order_id: 1, customer_id: 'alice', country: 'FR', total: 12.5 },
  { order_id: 2, customer_id: 'bob', country: 'US', total: 80 },
  { order_id: 3, customer_id: 'alice', country: 'FR', total: 7.25 },
  { order_id: 4, customer_id: 'carol', country: 'DE', total: 42 },
  { order_id: 5, customer_id: 'bob', country: 'US', total: 3.1 },
  { order_id: 6, country: 'US', total: 1 }, // no customer_id: this one has no key
];

/** Prints one line per record: the key it was given, and its shard or its error. */
function show(title: string, batches: KinesisBatchResult<Order>[]): number {
  console.log(`\n${title}`);
  let failed = 0;
  for (const record of batches.flatMap((batch) => batch.records)) {
    const key = (record.partitionKey ?? '(none)').padEnd(10);
    const where = record.status === 'ok' ? record.shardId : `FAILED ${record.errorCode}: ${record.errorMessage}`;
    console.log(`  order ${record.item.order_id}  key ${key} -> ${where}`);
    if (record.status === 'failed') failed++;
  }
  return failed;
}

const target = await exampleTarget('example-partition-key', 4);
try {
  const send = (config: ToKinesisConfig<Order>) => lastValueFrom(from(orders).pipe(toKinesis(config), toArray()));

  // 1. A field path: each order is keyed by its customer, so a customer's orders stay in order.
  //    Order 6 has no customer_id: it is reported as failed (and logged as a warning), the others are written.
  const byField = await send({ streamName: target.streamName, ...target.connection, partitionKey: 'customer_id' });
  const fieldFailures = show("partitionKey: 'customer_id'", byField);

  // 2. A function: any key you can compute (a string or a number), here country and customer.
  const byFunction = await send({
    streamName: target.streamName,
    ...target.connection,
    partitionKey: (order) => `${order.country}/${order.customer_id ?? 'guest'}`,
  });
  const functionFailures = show('partitionKey: (order) => `${order.country}/${order.customer_id}`', byFunction);

  // Expected: exactly order 6 failed with the field path, nothing failed with the function.
  if (fieldFailures !== 1 || functionFailures !== 0) process.exitCode = 1;
} finally {
  await target.close();
}
