/**
 * Basic: `streamName` only; every record gets a random UUID partition key.
 *
 * With no `partitionKey`, every record gets a fresh random UUID v4 as its partition key, so
 * records spread evenly over the shards, with no ordering between them. Each batch result has
 * one outcome per item, in order: the key it got, and its shard and sequence number (or error).
 *
 * Run: npm run example -- basic
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { from, lastValueFrom, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

const target = await exampleTarget('example-basic', 2);
try {
  const greetings = ['hello', 'bonjour', 'hola', 'ciao', 'hallo', 'olá'].map((text, id) => ({ id, text }));

  // In an application this is just `toKinesis({ streamName: 'greetings' })`;
  // `target.connection` points it at the emulator (endpoint, credentials).
  let failed = 0;
  await lastValueFrom(
    from(greetings).pipe(
      toKinesis({ streamName: target.streamName, ...target.connection }),
      tap((batch) => {
        failed += batch.failedRecordCount;
        console.log(`batch of ${batch.recordCount}: ${batch.successfulRecordCount} written, ${batch.failedRecordCount} failed`);
        for (const record of batch.records) {
          const where = record.status === 'ok' ? `${record.shardId} #${record.sequenceNumber}` : `FAILED ${record.errorCode}`;
          console.log(`  ${JSON.stringify(record.item)}  key ${record.partitionKey}  ->  ${where}`);
        }
      }),
    ),
  );
  if (failed > 0) process.exitCode = 1;
} finally {
  await target.close();
}
