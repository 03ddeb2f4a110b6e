/**
 * LocalStack: `endpoint: 'http://localhost:4566'`, region `us-east-1`, the `test` / `test` keys.
 *
 * LocalStack serves every AWS service on one port, 4566, and accepts any keys (its convention is
 * `test` / `test`, which it maps to account 000000000000); it keeps streams per account and
 * region, so use the region the stream was created in. Its Kinesis is kinesis-mock, which (like kinesalite) refuses
 * the SDK v3 Kinesis client's default HTTP/2: the client toKinesis builds uses HTTP/1.1, so there
 * is nothing else to set. The config below is the whole of it; nothing else changes between
 * LocalStack and AWS but the endpoint and the credentials.
 *
 * With LocalStack running (`docker run --rm -p 4566:4566 localstack/localstack`) and a stream made
 * (`awslocal kinesis create-stream --stream-name example-localstack --shard-count 1`):
 *   KINESIS_ENDPOINT=http://localhost:4566 npm run example -- localstack
 * Without KINESIS_ENDPOINT the same config is pointed at the embedded kinesalite instead, and the
 * stream is read back to show what arrived.
 *
 * Run: npm run example -- localstack
 */
import { from, lastValueFrom, tap } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import type { ToKinesisConfig } from '../lib/index.js';
import { exampleTarget } from './support/target.js';

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
}

/** What an application writes to send to LocalStack: the endpoint, a region, the `test` keys. */
const LOCALSTACK = {
  endpoint: 'http://localhost:4566',
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;

const target = await exampleTarget('example-localstack');
try {
  // With KINESIS_ENDPOINT set, target.connection.endpoint is that endpoint (LocalStack itself);
  // without it, the embedded kinesalite stands in for LocalStack (its dummy keys, any region).
  const config: ToKinesisConfig<Reading> = {
    ...LOCALSTACK,
    ...target.connection,
    region: target.connection.region ?? LOCALSTACK.region,
    streamName: target.streamName,
    partitionKey: 'sensor',
  };
  console.log(`config: ${JSON.stringify({ ...config, credentials: '(hidden)' })}`);

  const readings: Reading[] = [
    { sensor: 'kitchen', celsius: 21.5 },
    { sensor: 'garage', celsius: 9.0 },
    { sensor: 'kitchen', celsius: 21.7 },
    { sensor: 'attic', celsius: 27.2 },
  ];
  let written = 0;
  await lastValueFrom(
    from(readings).pipe(
      toKinesis(config),
      tap((batch) => {
        written += batch.successfulRecordCount;
        for (const record of batch.records) {
          const where = record.status === 'ok' ? `${record.shardId} #${record.sequenceNumber}` : `FAILED ${record.errorCode}: ${record.errorMessage}`;
          console.log(`  ${JSON.stringify(record.item)} -> ${where}`);
        }
      }),
    ),
  );
  console.log(`${written} of ${readings.length} readings written to '${target.streamName}'`);

  // Read back (embedded kinesalite only; against LocalStack: `awslocal kinesis get-records ...`).
  if (target.read) {
    const stored = await target.read();
    console.log(`read back: ${stored.map((record) => `${record.partitionKey}=${JSON.parse(Buffer.from(record.data).toString('utf8')).celsius}`).join(', ')}`);
    if (stored.length !== readings.length) process.exitCode = 1;
  }
  if (written !== readings.length) process.exitCode = 1;
} finally {
  await target.close();
}
