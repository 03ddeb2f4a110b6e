/**
 * The connection part of every configuration of this package: the fields that say which stream
 * and how to reach it (`connectionProps`), their cross-field rules, and their resolution: which
 * stream, the client to reach it (the caller's, or one built here and closed on release), and the
 * logger (the caller's, never throwing; or warnings and errors to `console`).
 *
 * @module
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import * as t from 'io-ts';
import { clientLeases } from './client.js';
import type { ClientLease, KinesisCredentials } from './client.js';
import { callback, EndpointUrl, flagOrBlock, isFunction, isObject, NonEmptyString, refined } from './codecs.js';
import { Duration, durationToMs } from './duration.js';
import { consoleLogger, LoggerCodec, safeLogger } from './logger.js';
import type { Logger } from './logger.js';
import { parseStreamArn, STREAM_ARN_PATTERN } from '../kinesis/streamTarget.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';

export const StreamArn = refined(
  "a Kinesis stream ARN ('arn:aws:kinesis:<region>:<account>:stream/<name>')",
  (u): u is string => typeof u === 'string' && STREAM_ARN_PATTERN.test(u),
);
/** The SDK's credential provider: a function that resolves to credentials. */
type CredentialProvider = Extract<KinesisCredentials, (...args: never[]) => unknown>;

/** The fields of static credentials, as the SDK's `AwsCredentialIdentity` has them (a provider's result, or an object a client has used, fits). */
const StaticCredentials = t.intersection([
  t.type({
    /** The access key id (`AWS_ACCESS_KEY_ID`). */
    accessKeyId: NonEmptyString,
    /** The secret access key (`AWS_SECRET_ACCESS_KEY`); never shown in errors. */
    secretAccessKey: NonEmptyString,
  }),
  t.partial({
    /** The session token of temporary credentials (`AWS_SESSION_TOKEN`). */
    sessionToken: t.string,
    /** When temporary credentials stop being accepted. */
    expiration: refined('a valid Date', (u): u is Date => u instanceof Date && !Number.isNaN(u.getTime())),
    /** The credential scope, as the SDK's providers give it. */
    credentialScope: t.string,
    /** The AWS account the credentials belong to. */
    accountId: t.string,
    /** Features the SDK records on credentials it has used (it adds this field to the object given, on the first request). */
    $source: t.record(t.string, t.unknown),
  }),
]);

/** `{ accessKeyId, secretAccessKey, sessionToken? }` or a provider function; errors never show the value. */
export const Credentials = flagOrBlock(
  '{ accessKeyId, secretAccessKey, sessionToken? } or a credential provider function',
  callback<CredentialProvider>(),
  StaticCredentials,
);

export const Client = refined(
  'a KinesisClient',
  (u): u is KinesisClient => isObject(u) && isFunction(u['send']) && isFunction(u['destroy']) && isObject(u['config']),
);

/**
 * The fields that say which stream and how to reach it, shared by every configuration of this
 * package (spread into its `t.partial`).
 */
export const connectionProps = {
  /** The stream. Required unless `streamARN` is given. Pipeline file: `stream_name`. */
  streamName: NonEmptyString,
  /**
   * The stream's ARN, instead of (or as well as) its name; needed for cross-account access. Requests
   * name the stream by both when both are given (kinesalite reads only the name). Its region is
   * the default of `region`.
   */
  streamARN: StreamArn,
  /** AWS region. Default: the SDK's region chain (`AWS_REGION`, profile); `us-east-1` when only `endpoint` is set. Pipeline file: `region`. */
  region: NonEmptyString,
  /** A custom endpoint (LocalStack, kinesis-mock, kinesalite). Pipeline file: `endpoint_url`. */
  endpoint: EndpointUrl,
  /** Static credentials (`{ accessKeyId, secretAccessKey, sessionToken? }`; a field it does not know is refused) or a provider. Default: the standard AWS credential chain. Pipeline file: `credentials`. */
  credentials: Credentials,
  /** Bring your own client; then `region`, `endpoint`, `credentials` and `requestTimeout` must be left out. */
  client: Client,
  /**
   * How long one request may take, from sending to the complete answer, before it is abandoned
   * and counted as a failed attempt (`ETIMEDOUT`, retried); an answer that stops arriving for as
   * long is abandoned the same way (`TimeoutError`). Applies to the client built here; configure
   * your own client yourself. `0` turns the timeout off. Default `'30s'`.
   */
  requestTimeout: Duration,
  /** Where warnings and debug lines go: a console-shaped logger (`console` fits) with at least one of `debug`, `info`, `warn`, `error`. Default: warnings and errors to `console`. */
  logger: LoggerCodec,
};

/** The default `requestTimeout` of every configuration: `'30s'`. */
export const DEFAULT_REQUEST_TIMEOUT: Duration = '30s';

/** The rules on the connection fields that involve more than one field. */
export function connectionProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { streamName, streamARN, region, client } = config;
  if (streamName === undefined && streamARN === undefined) problems.push('streamName: required (or give streamARN)');
  if (typeof streamName === 'string' && typeof streamARN === 'string' && !streamARN.endsWith(`:stream/${streamName}`)) {
    problems.push(`streamARN: names another stream than streamName '${streamName}'`);
  }
  const arnRegion = typeof streamARN === 'string' ? parseStreamArn(streamARN)?.region : undefined;
  if (typeof region === 'string' && arnRegion !== undefined && arnRegion !== region) {
    problems.push(`streamARN: is in region ${arnRegion}, but region is ${region} (leave region out to use the ARN's)`);
  }
  if (client !== undefined) {
    const mixed = ['region', 'endpoint', 'credentials', 'requestTimeout'].filter((key) => config[key] !== undefined);
    if (mixed.length > 0) problems.push(`client: cannot be combined with ${mixed.join(', ')}; configure them on your KinesisClient`);
  }
  return problems;
}

/**
 * The stream of a configuration, in its type: its name, its ARN, or both; one is required (the
 * codecs check it at run time, with the other cross-field rules).
 */
export type StreamNamed = { streamName: string; streamARN?: string } | { streamName?: string; streamARN: string };

/** The connection fields of a validated configuration. */
export type ConnectionConfig = { readonly [K in keyof typeof connectionProps]?: t.TypeOf<(typeof connectionProps)[K]> | undefined };

/** A configuration's connection, resolved. */
export interface Connection {
  /** The stream's name (taken from the ARN when only `streamARN` is given). */
  readonly streamName: string;
  /** What requests name the stream by: its name, its ARN, or both when both are given. */
  readonly target: StreamTarget;
  /** The configured logger, complete and never throwing; by default warnings and errors to `console`. */
  readonly logger: Logger;
  /** Leases the client for one subscription: the caller's, or one built here and shared by the subscriptions of one operator. */
  readonly leaseClient: () => ClientLease;
}

/**
 * Resolves the connection fields of a validated configuration (`streamName` or `streamARN` given).
 *
 * @param config - The validated configuration.
 * @returns The stream, the logger, and how to get the client.
 */
export function resolveConnection(config: ConnectionConfig): Connection {
  const { streamARN } = config;
  const arn = streamARN === undefined ? undefined : parseStreamArn(streamARN);
  const streamName = config.streamName ?? arn!.streamName;
  return {
    streamName,
    target:
      streamARN === undefined ? { StreamName: streamName } : config.streamName === undefined ? { StreamARN: streamARN } : { StreamName: streamName, StreamARN: streamARN },
    logger: safeLogger(config.logger ?? consoleLogger),
    leaseClient: clientLeases({
      client: config.client,
      region: config.region ?? arn?.region,
      endpoint: config.endpoint,
      credentials: config.credentials,
      requestTimeoutMs: durationToMs(config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT)!,
    }),
  };
}
