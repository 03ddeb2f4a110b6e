/**
 * Composition: two sources merged into one stream with `merge`; one toKinesis, results split back by source.
 *
 * Clicks from a web front end and orders from a queue go to the same stream. `merge` interleaves
 * them as they come; `map` wraps each in an envelope that says where it came from, so a consumer
 * can tell them apart; one `toKinesis` batches them together (fewer, fuller requests than one
 * operator per source) with a partition key that depends on the kind. The results carry each
 * item back, so the outcomes can be counted per source. The output completes when both sources have.
 *
 * Run: npm run example -- merge-sources
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { interval, lastValueFrom, map, merge, take, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Click {
  readonly session: string;
  readonly page: string;
}

interface Order {
  readonly orderId: number;
  readonly customer: string;
  readonly total: number;
}

/** What is written: the kind of event, and the event. */
type Envelope = { readonly kind: 'click'; readonly click: Click } | { readonly kind: 'order'; readonly order: Order };

const CLICKS = 60;
const ORDERS = 12;

const target = await exampleTarget('example-merge-sources', 2);
try {
  const clicks$ = interval(5).pipe(
    take(CLICKS),
    map((n): Click => ({ session: `s-${n % 4}`, page: ['/', '/shoes', '/cart'][n % 3]! })),
  );
  const orders$ = interval(25).pipe(
    take(ORDERS),
    map((n): Order => ({ orderId: 1000 + n, customer: ['alice', 'bob', 'carol'][n % 3]!, total: 10 + n })),
  );

  const events$ = merge(
    clicks$.pipe(map((click): Envelope => ({ kind: 'click', click }))),
    orders$.pipe(map((order): Envelope => ({ kind: 'order', order }))),
  );

  const written = { click: 0, order: 0 };
  let failed = 0;
  await lastValueFrom(
    events$.pipe(
      toKinesis({
        streamName: target.streamName,
        ...target.connection,
        // A session's clicks together, a customer's orders together.
        partitionKey: (event) => (event.kind === 'click' ? `session/${event.click.session}` : `customer/${event.order.customer}`),
        batch: { duration: '100ms' },
      }),
      tap((batch) => {
        failed += batch.failedRecordCount;
        const mix = { click: 0, order: 0 };
        for (const record of batch.records) {
          mix[record.item.kind]++;
          if (record.status === 'ok') written[record.item.kind]++;
        }
        console.log(`batch of ${String(batch.recordCount).padStart(2)}: ${mix.click} clicks + ${mix.order} orders`);
      }),
    ),
  );
  console.log(`written: ${written.click} of ${CLICKS} clicks, ${written.order} of ${ORDERS} orders, in one stream`);

  if (target.read) {
    const stored = await target.read();
    const keys = new Set(stored.map((record) => record.partitionKey));
    console.log(`read back ${stored.length} records under ${keys.size} partition keys: ${[...keys].sort().join(', ')}`);
    if (stored.length !== CLICKS + ORDERS) process.exitCode = 1;
  }
  if (failed > 0 || written.click !== CLICKS || written.order !== ORDERS) process.exitCode = 1;
} finally {
  await target.close();
}
