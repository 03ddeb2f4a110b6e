/**
 * Cross-account: `streamARN`, with credentials from an assumed role (`fromTemporaryCredentials`).
 *
 * A stream in another AWS account is reached in one of two ways:
 * - the stream's owner attaches a resource-based policy to the stream granting your principal
 *   `kinesis:PutRecords`: you keep your own credentials and address the stream by `streamARN`
 *   (a bare name is looked up in your own account);
 * - the owner gives you a role to assume in their account: `credentials:
 *   fromTemporaryCredentials({ params: { RoleArn } })` from '@aws-sdk/credential-providers' asks
 *   STS for temporary keys, and asks again before they expire. Use `streamARN` here too: it says
 *   which account and region the stream is in, whoever the credentials belong to.
 * The client's region is taken from the ARN (a different `region` is refused).
 *
 * Against AWS:
 *   KINESIS_STREAM_ARN=arn:aws:kinesis:eu-west-1:111122223333:stream/orders \
 *   KINESIS_ROLE_ARN=arn:aws:iam::111122223333:role/orders-producer [KINESIS_EXTERNAL_ID=...] \
 *   npm run example -- cross-account
 * (without KINESIS_ROLE_ARN the standard credential chain is used: the resource-policy case).
 *
 * What runs locally, without these variables: the embedded kinesalite has no STS, so no role is
 * assumed (its dummy keys are used), and kinesalite is older than `StreamARN`: it reads only
 * `StreamName`. Given both `streamName` and `streamARN`, `toKinesis` sends both, so the same config
 * works there; LocalStack (kinesis-mock) and AWS take the ARN. The example also shows what the
 * config check catches before anything is sent.
 *
 * Run: npm run example -- cross-account
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { lastValueFrom, of, toArray } from 'rxjs';
import { KinesisConfigError, toKinesis } from '../lib/index.js';
import type { ToKinesisConfig } from '../lib/index.js';
import { exampleTarget } from './support/target.js';
import type { KinesisCredentials } from '../lib/shared/client.js';

interface Payment {
  readonly paymentId: string;
  readonly account: string;
  readonly cents: number;
}

const payments: Payment[] = [
  { paymentId: 'p-1', account: 'acme', cents: 1999 },
  { paymentId: 'p-2', account: 'globex', cents: 500 },
  { paymentId: 'p-3', account: 'acme', cents: 12_000 },
];

/** The region part of a stream ARN: `arn:aws:kinesis:<region>:<account>:stream/<name>`. */
const regionOf = (streamARN: string): string => streamARN.split(':')[3]!;

/** Credentials of a role in the stream's account, when one is given; `undefined` otherwise (the standard chain). */
function assumedRole(region: string): KinesisCredentials | undefined {
  const roleArn = process.env['KINESIS_ROLE_ARN'];
  if (!roleArn) return undefined;
  const externalId = process.env['KINESIS_EXTERNAL_ID'];
  console.log(`credentials: role ${roleArn} assumed through STS (fromTemporaryCredentials)`);
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: 'rxjs-kinesis-example', ...(externalId ? { ExternalId: externalId } : {}) },
    clientConfig: { region },
  });
}

const givenARN = process.env['KINESIS_STREAM_ARN'];
const external = Boolean(process.env['KINESIS_ENDPOINT']);
if (!givenARN && external) {
  console.error('cross-account needs KINESIS_STREAM_ARN with KINESIS_ENDPOINT, e.g. for LocalStack:');
  console.error('  KINESIS_STREAM_ARN=arn:aws:kinesis:us-east-1:000000000000:stream/<name>');
  process.exit(2);
}

// The embedded kinesalite when no ARN is given; otherwise the ARN's stream (at KINESIS_ENDPOINT, or AWS).
const target = givenARN ? undefined : await exampleTarget('example-cross-account');
try {
  const streamARN = givenARN ?? target!.streamARN!;
  const region = regionOf(streamARN);
  const config: ToKinesisConfig<Payment> = {
    streamARN,
    partitionKey: 'account',
  };
  // kinesalite reads only StreamName: give the name too (both are sent).
  if (target) config.streamName = target.streamName;
  const endpoint = target?.connection.endpoint ?? process.env['KINESIS_ENDPOINT'];
  if (endpoint) config.endpoint = endpoint;
  const credentials = assumedRole(region) ?? target?.connection.credentials;
  if (credentials) config.credentials = credentials;
  else console.log('credentials: the standard AWS chain (no KINESIS_ROLE_ARN)');
  console.log(`stream: ${streamARN} (region ${region})`);

  // 1. Checked before anything is sent: an ARN that names another stream, or is in another region.
  try {
    toKinesis({ ...config, streamName: 'refunds', region: region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1' });
  } catch (error) {
    if (!(error instanceof KinesisConfigError)) throw error;
    console.log(`config check: ${error.problems.join('; ')}`);
  }

  // 2. Send by ARN.
  const batches = await lastValueFrom(of(...payments).pipe(toKinesis(config), toArray()));
  const records = batches.flatMap((batch) => batch.records);
  for (const record of records) {
    const where = record.status === 'ok' ? `${record.shardId} #${record.sequenceNumber}` : `FAILED ${record.errorCode}: ${record.errorMessage}`;
    console.log(`  payment ${record.item.paymentId} (key ${record.partitionKey}) -> ${where}`);
  }
  const written = records.filter((record) => record.status === 'ok').length;
  console.log(`${written} of ${payments.length} payments written`);

  if (written !== payments.length) process.exitCode = 1;
} finally {
  await target?.close();
}
