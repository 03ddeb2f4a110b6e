/**
 * Ordering per key: a ledger's entries, each account's in the order they happened, with four
 * requests in flight.
 *
 * With `ordering: 'key'`, records with the same partition key land in the order they entered
 * `toKinesis`, whatever is retried, at any `concurrency`: an account never has two entries on their
 * way at once, and its next entry goes once the one before is written. Other accounts go on
 * meanwhile. With `aggregation: true` (as here), the entries of an account waiting at the same
 * time travel together in one KPL aggregate, in order, so a busy account is not held to one entry
 * per round trip. `afterFailure: 'fail'` fails an account's waiting entries
 * (`PrecedingRecordFailed`) if one of its entries fails for good, so that no consumer sees an entry
 * whose predecessor is missing.
 *
 * The stream is read back (embedded kinesalite) and each account's entries checked in order.
 *
 * Run: npm run example -- ordering
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { from, lastValueFrom, tap } from 'rxjs';
import { decodeAggregate, toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Entry {
  readonly account: string;
  /** The entry's number in its account: 0, 1, 2, ... */
  readonly seq: number;
  readonly amount: number;
}

const COUNT = 5_000;
const ACCOUNTS = 40;

const target = await exampleTarget('example-ordering', 2);
try {
  const next = new Map<string, number>();
  const entries: Entry[] = Array.from({ length: COUNT }, () => {
    // A few busy accounts and many quiet ones.
    const account = `account-${Math.floor(ACCOUNTS * Math.random() ** 2)}`;
    const seq = next.get(account) ?? 0;
    next.set(account, seq + 1);
    return { account, seq, amount: Math.round(Math.random() * 10_000) / 100 };
  });

  let written = 0;
  let failed = 0;
  await lastValueFrom(
    from(entries).pipe(
      toKinesis({
        streamName: target.streamName,
        ...target.connection,
        partitionKey: 'account',
        ordering: { by: 'key', afterFailure: 'fail' },
        aggregation: true,
        concurrency: 4,
        batch: { size: 1_000, duration: '100ms' },
      }),
      tap((batch) => {
        written += batch.successfulRecordCount;
        failed += batch.failedRecordCount;
      }),
    ),
  );
  console.log(`${written} entries written, ${failed} failed, over ${next.size} accounts`);

  if (target.read !== undefined) {
    // Read as a consumer does: shard by shard, aggregates unpacked.
    const lastSeq = new Map<string, number>();
    let outOfOrder = 0;
    for (const record of await target.read()) {
      for (const data of decodeAggregate(record.data)?.map((user) => user.data) ?? [record.data]) {
        const entry = JSON.parse(Buffer.from(data).toString('utf8')) as Entry;
        if (entry.seq !== (lastSeq.get(entry.account) ?? -1) + 1) outOfOrder++;
        lastSeq.set(entry.account, entry.seq);
      }
    }
    console.log(`read back: ${outOfOrder} entries out of their account's order`);
    if (outOfOrder > 0) process.exitCode = 1;
  }
  if (failed > 0 || written !== COUNT) process.exitCode = 1;
} finally {
  await target.close();
}
