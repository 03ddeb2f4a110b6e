/**
 * Shared io-ts building blocks: codecs for the values every configuration of this package uses
 * (stream, connection, callbacks), and the validation that turns unknown input into a typed
 * config or a {@link KinesisConfigError} listing every problem with its field path.
 *
 * @module
 */
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { Duration } from './duration.js';
import { KinesisConfigError } from './errors.js';
import { parseStreamArn, STREAM_ARN_PATTERN } from '../kinesis/streamTarget.js';

/**
 * Static AWS credentials, or a provider that resolves them (the SDK's `AwsCredentialIdentityProvider`).
 *
 * @example
 * ```ts
 * import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
 *
 * const credentials: KinesisCredentials = fromTemporaryCredentials({ params: { RoleArn: 'arn:aws:iam::111122223333:role/producer' } });
 * events$.pipe(toKinesis({ streamName: 'events', credentials }));
 * ```
 */
export type KinesisCredentials = NonNullable<KinesisClientConfig['credentials']>;

/**
 * A console-shaped logger (`console` itself fits). Any method left out of `config.logger` is a no-op.
 *
 * @example
 * ```ts
 * const logger: Partial<Logger> = { warn: (message) => log.warn(message), error: (message) => log.error(message) };
 * events$.pipe(toKinesis({ streamName: 'events', logger }));
 * ```
 */
export interface Logger {
  /** Retries and other detail. */
  debug(message: string): void;
  /** Not used by the operator today; there for console-shaped loggers. */
  info(message: string): void;
  /** Records not written (with counts by error code), settings over a limit. */
  warn(message: string): void;
  /** Not used by the operator today; there for console-shaped loggers. */
  error(message: string): void;
}

/** A codec for values that only a predicate can check; `name` is what the value should have been. */
export function refined<A>(name: string, guard: (u: unknown) => u is A): t.Type<A> {
  return new t.Type<A>(name, guard, (u, c) => (guard(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

export const isFunction = (u: unknown): u is (...args: never[]) => unknown => typeof u === 'function';
export const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A codec for a callback; its TypeScript type is `F`, its runtime check `typeof === 'function'`. */
export function callback<F>(): t.Type<F> {
  return refined<F>('a function', isFunction as (u: unknown) => u is F);
}

/** A codec for either of two values, with one message naming both when neither fits. */
export function either<A, B>(name: string, first: t.Type<A>, second: t.Type<B>): t.Type<A | B> {
  return refined<A | B>(name, (u): u is A | B => first.is(u) || second.is(u));
}

export const NonEmptyString = refined('a non-empty string', (u): u is string => typeof u === 'string' && u.length > 0);
export const PositiveInteger = refined(
  'a positive integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
);
export const FieldPath = refined(
  "a field path such as 'customer_id' or 'order.id'",
  (u): u is string => typeof u === 'string' && u.length > 0 && u.split('.').every((part) => part.length > 0),
);
export const StreamArn = refined(
  "a Kinesis stream ARN ('arn:aws:kinesis:<region>:<account>:stream/<name>')",
  (u): u is string => typeof u === 'string' && STREAM_ARN_PATTERN.test(u),
);
export const EndpointUrl = refined(
  "an http(s) URL such as 'http://localhost:4566'",
  (u): u is string => typeof u === 'string' && URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
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

export const LoggerCodec = t.partial({
  /** Retries and other detail. */
  debug: callback<Logger['debug']>(),
  /** Not used today. */
  info: callback<Logger['info']>(),
  /** Records not written (with counts by error code), settings over a limit. */
  warn: callback<Logger['warn']>(),
  /** Not used today. */
  error: callback<Logger['error']>(),
});

/**
 * The fields that say which stream and how to reach it, shared by every configuration of this
 * package (spread into its `t.partial`).
 */
export const connectionProps = {
  /** The stream. Required unless `streamARN` is given. Seed YAML: `stream_name`. */
  streamName: NonEmptyString,
  /**
   * The stream's ARN, instead of (or as well as) its name; needed for cross-account access. Requests
   * name the stream by both when both are given (kinesalite reads only the name). Its region is
   * the default of `region`.
   */
  streamARN: StreamArn,
  /** AWS region. Default: the SDK's region chain (`AWS_REGION`, profile); `us-east-1` when only `endpoint` is set. Seed YAML: `region`. */
  region: NonEmptyString,
  /** A custom endpoint (LocalStack, kinesis-mock, kinesalite). Seed YAML: `endpoint_url`. */
  endpoint: EndpointUrl,
  /** Static credentials or a provider. Default: the standard AWS credential chain. Seed YAML: `credentials`. */
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

const SECRET_FIELDS = /^credentials(\.|$)/;

/** What a value was, for an error message; secrets are never shown. */
export function describeValue(value: unknown, path: string): string {
  if (SECRET_FIELDS.test(path)) return 'the value given';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** One line per io-ts error: `path: message`. Union branches and intersection members are left out of the path. */
export function reportErrors(errors: t.Errors): string[] {
  const lines = errors.map((error) => {
    const keys = error.context.map((entry) => entry.key).filter((key) => key !== '' && !/^\d+$/.test(key));
    const path = keys.join('.');
    const expected = error.context[error.context.length - 1]!.type.name;
    if (error.message !== undefined) return `${path}: ${error.message}`;
    if (error.value === undefined) return `${path}: required`;
    return `${path}: ${describeValue(error.value, path)} is not ${expected}`;
  });
  return [...new Set(lines)];
}

/** Keys of `value` that `props` does not know, as `path: unknown field` lines. */
function unknownFields(value: Record<string, unknown>, props: t.Props, prefix: string): string[] {
  return Object.keys(value)
    .filter((key) => !Object.prototype.hasOwnProperty.call(props, key))
    .map((key) => `${prefix}${key}: unknown field (known: ${Object.keys(props).join(', ')})`);
}

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

/** How to check one kind of configuration. */
export interface ConfigSchema {
  /** Whose config it is, for the error message (`'fromKinesis'`, ...). Default `'toKinesis'`. */
  readonly subject?: string;
  /** The codec of the whole configuration. */
  readonly codec: t.PartialType<t.Props>;
  /** Blocks whose own fields are checked for unknown names too, by field name. */
  readonly blocks: Readonly<Record<string, t.PartialType<t.Props>>>;
  /** Rules that involve more than one field; run on the raw input too, so every problem is listed at once. */
  readonly crossFieldProblems: (config: Record<string, unknown>) => string[];
}

/**
 * Checks a configuration against its schema: every field's type, unknown fields (at the top and
 * in each block), and the cross-field rules.
 *
 * @example
 * ```ts
 * const config = checkConfig<FromKinesisConfig>(input, { subject: 'fromKinesis', codec: FromKinesisConfig, blocks: {}, crossFieldProblems: connectionProblems });
 * ```
 * @param input - The configuration as given (any value).
 * @param schema - The codec, its blocks and its cross-field rules.
 * @returns The same configuration, typed.
 * @throws {@link KinesisConfigError} listing every problem with its field path.
 */
export function checkConfig<C>(input: unknown, schema: ConfigSchema): C {
  if (!isObject(input)) throw new KinesisConfigError([`config: expected an object, got ${describeValue(input, '')}`], schema.subject);
  const problems = unknownFields(input, schema.codec.props, '');
  for (const [key, codec] of Object.entries(schema.blocks)) {
    const block = input[key];
    if (isObject(block)) problems.push(...unknownFields(block, codec.props, `${key}.`));
  }
  const decoded = schema.codec.decode(input);
  if (isLeft(decoded)) problems.push(...reportErrors(decoded.left));
  problems.push(...schema.crossFieldProblems(input));
  if (problems.length > 0) throw new KinesisConfigError(problems, schema.subject);
  return input as C;
}
