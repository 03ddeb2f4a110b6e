/**
 * The connection part of every configuration of this package: the fields that say which stream
 * and how to reach it (`connectionProps`), their cross-field rules, and their resolution: which
 * stream, the client to reach it (the caller's, or one built here and closed on release), and the
 * logger (the caller's, never throwing; or warnings and errors to `console`).
 *
 * @module
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { clientLeases } from './client.js';
import type { ClientLease, KinesisCredentials } from './client.js';
import { EndpointUrl, isFunction, isObject, NonEmptyString, refined } from './codecs.js';
import { Duration, durationToMs } from './duration.js';
import { consoleLogger, LoggerCodec, safeLogger } from './logger.js';
import type { Logger } from './logger.js';
import { parseStreamArn, STREAM_ARN_PATTERN } from '../kinesis/streamTarget.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';

export const StreamArn = refined(
  "a Kinesis stream ARN ('arn:aws:kinesis:<region>:<account>:stream/<name>')",
  (u): u is string => typeof u === 'string' && STREAM_ARN_PATTERN.test(u),
);
const StaticCredentials = t.intersection([
  t.type({ accessKeyId: NonEmptyString, secretAccessKey: NonEmptyString }),
  t.partial({ sessionToken: t.string }),
]);

/** `{ accessKeyId, secretAccessKey, sessionToken? }` or a provider function; errors never show the value. */
export const Credentials = new t.Type<KinesisCredentials>(
  'credentials: { accessKeyId, secretAccessKey, sessionToken? } or a credential provider function',
  (u): u is KinesisCredentials => isFunction(u) || StaticCredentials.is(u),
  (u, c) => {
    if (isFunction(u)) return t.success(u as KinesisCredentials);
    if (!isObject(u)) return t.failure(u, c, 'expected { accessKeyId, secretAccessKey, sessionToken? } or a credential provider function');
    const checked = StaticCredentials.validate(u, c);
    return isLeft(checked) ? checked : t.success(u as unknown as KinesisCredentials);
  },
  t.identity,
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
  /** Static credentials or a provider. Default: the standard AWS credential chain. Pipeline file: `credentials`. */
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
  /** Where warnings and debug lines go. Default: warnings and errors to `console`. */
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
