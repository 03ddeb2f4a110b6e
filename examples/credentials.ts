/**
 * Credentials: static keys from the environment, or a credential provider such as `fromIni`.
 *
 * By default toKinesis uses the standard AWS credential chain (environment, shared
 * config and SSO profiles, container and instance roles). `credentials` overrides it with either
 * static keys `{ accessKeyId, secretAccessKey, sessionToken? }` or a credential provider, a
 * function the SDK calls (and calls again before temporary credentials expire).
 *
 * Here the static keys are read from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN (e.g. handed over by a secret store), falling back to the emulator's dummy
 * keys. Set AWS_PROFILE to also send with `fromIni({ profile })` from '@aws-sdk/credential-providers'.
 *
 * Run: npm run example -- credentials
 * (embedded kinesalite; set KINESIS_ENDPOINT, KINESIS_STREAM, AWS_REGION to use another Kinesis)
 */
import { fromIni } from '@aws-sdk/credential-providers';
import { lastValueFrom, of, toArray } from 'rxjs';
import { toKinesis } from '../lib/index.js';
import { exampleTarget } from './support/target.js';
import type { KinesisCredentials } from '../lib/shared/client.js';

const target = await exampleTarget('example-credentials');

/** Static keys from the environment, or the emulator's dummy keys (kinesalite accepts any). */
function staticCredentials(): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (accessKeyId && secretAccessKey) return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  console.error('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY not set: using the dummy keys of the local emulator');
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

/** Sends one event with these credentials and prints what happened. */
async function sendWith(label: string, credentials: KinesisCredentials): Promise<boolean> {
  const batches = await lastValueFrom(
    of({ event: 'login', user: 'alice', with: label }).pipe(
      toKinesis({ streamName: target.streamName, ...target.connection, credentials }),
      toArray(),
    ),
  );
  const [record] = batches.flatMap((batch) => batch.records);
  const outcome = record?.status === 'ok' ? `written to ${record.shardId}` : `FAILED ${record?.errorCode}: ${record?.errorMessage}`;
  console.log(`${label}: ${outcome}`);
  return record?.status === 'ok';
}

try {
  // 1. Static keys. Keys the service refuses are not a config error: every record of the batch
  //    is reported failed, with the service's error code (UnrecognizedClientException on AWS).
  let ok = await sendWith('static keys', staticCredentials());

  // 2. A credential provider: any `() => Promise<{ accessKeyId, secretAccessKey, ... }>`, such as
  //    fromIni, fromSSO, fromTemporaryCredentials or fromContainerMetadata from
  //    '@aws-sdk/credential-providers'. fromIni reads ~/.aws/credentials and ~/.aws/config:
  const profile = process.env['AWS_PROFILE'];
  if (profile) ok = (await sendWith(`fromIni({ profile: '${profile}' })`, fromIni({ profile }))) && ok;
  else console.log("fromIni: skipped (set AWS_PROFILE to send with `credentials: fromIni({ profile })`)");

  if (!ok) process.exitCode = 1;
} finally {
  await target.close();
}
