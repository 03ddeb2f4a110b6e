/**
 * The configuration of {@link toKinesis}: an io-ts codec that is the single source of the config
 * type, and the validator that turns unknown input into a typed config or a
 * {@link KinesisConfigError} listing every problem with its field path.
 *
 * @module
 */
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { SchedulerLike } from 'rxjs';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { Duration, durationToMs } from './duration.js';
import { KinesisConfigError } from './errors.js';
import { DEFAULT_MAX_RECORD_BYTES, MAX_BYTES_PER_REQUEST, MAX_RECORD_BYTES_CEILING, MAX_RECORDS_PER_REQUEST } from './limits.js';

/** Static AWS credentials, or a provider that resolves them (the SDK's `AwsCredentialIdentityProvider`). */
export type KinesisCredentials = NonNullable<KinesisClientConfig['credentials']>;

/** A console-shaped logger (`console` itself fits). Any method left out of `config.logger` is a no-op. */
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
function refined<A>(name: string, guard: (u: unknown) => u is A): t.Type<A> {
  return new t.Type<A>(name, guard, (u, c) => (guard(u) ? t.success(u) : t.failure(u, c)), t.identity);
}

const isFunction = (u: unknown): u is (...args: never[]) => unknown => typeof u === 'function';
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A codec for a callback; its TypeScript type is `F`, its runtime check `typeof === 'function'`. */
function callback<F>(): t.Type<F> {
  return refined<F>('a function', isFunction as (u: unknown) => u is F);
}

/** A codec for either of two values, with one message naming both when neither fits. */
function either<A, B>(name: string, first: t.Type<A>, second: t.Type<B>): t.Type<A | B> {
  return refined<A | B>(name, (u): u is A | B => first.is(u) || second.is(u));
}

const NonEmptyString = refined('a non-empty string', (u): u is string => typeof u === 'string' && u.length > 0);
const PositiveInteger = refined(
  'a positive integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
);
const RecordByteLimit = refined(
  `a whole number of bytes from 1 to ${MAX_RECORD_BYTES_CEILING} (10 MiB)`,
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0 && u <= MAX_RECORD_BYTES_CEILING,
);
const FieldPath = refined(
  "a field path such as 'customer_id' or 'order.id'",
  (u): u is string => typeof u === 'string' && u.length > 0 && u.split('.').every((part) => part.length > 0),
);
const StreamArn = refined(
  "a Kinesis stream ARN ('arn:aws:kinesis:<region>:<account>:stream/<name>')",
  (u): u is string => typeof u === 'string' && /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[\w.-]{1,128}$/.test(u),
);
const EndpointUrl = refined(
  "an http(s) URL such as 'http://localhost:4566'",
  (u): u is string => typeof u === 'string' && URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
);

const StaticCredentials = t.intersection([
  t.type({ accessKeyId: NonEmptyString, secretAccessKey: NonEmptyString }),
  t.partial({ sessionToken: t.string }),
]);

/** `{ accessKeyId, secretAccessKey, sessionToken? }` or a provider function; errors never show the value. */
const Credentials = new t.Type<KinesisCredentials>(
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

const Client = refined(
  'a KinesisClient',
  (u): u is KinesisClient => isObject(u) && isFunction(u['send']) && isFunction(u['destroy']) && isObject(u['config']),
);

const LoggerCodec = t.partial({
  /** Retries and other detail. */
  debug: callback<Logger['debug']>(),
  /** Not used by the operator today. */
  info: callback<Logger['info']>(),
  /** Records not written (with counts by error code), settings over a limit. */
  warn: callback<Logger['warn']>(),
  /** Not used by the operator today. */
  error: callback<Logger['error']>(),
});

const Scheduler = refined(
  'an RxJS scheduler',
  (u): u is SchedulerLike => isObject(u) && isFunction(u['now']) && isFunction(u['schedule']),
);

/** The default of every optional setting, as documented on {@link ToKinesisConfig}. */
export const DEFAULTS: {
  /** `{ size: 500, duration: '5s', maxBytes: 5 MiB }` */
  readonly batch: Required<t.TypeOf<typeof BatchConfig>>;
  /** 1 MiB */
  readonly maxRecordBytes: number;
  /** 1 */
  readonly concurrency: number;
  /** `'30s'` */
  readonly requestTimeout: Duration;
  /** `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }` */
  readonly retry: Required<t.TypeOf<typeof RetryConfig>>;
} = {
  batch: { size: MAX_RECORDS_PER_REQUEST, duration: '5s', maxBytes: MAX_BYTES_PER_REQUEST },
  maxRecordBytes: DEFAULT_MAX_RECORD_BYTES,
  concurrency: 1,
  requestTimeout: '30s',
  retry: { maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' },
};

/** The `batch` block: when a batch is closed and sent. */
export const BatchConfig = t.partial({
  /** Items per batch (and so per `PutRecords` request). Default 500; a larger value is capped at 500 with a warning. */
  size: PositiveInteger,
  /** How long the first item of a batch may wait for the batch to fill before it is sent anyway. Default `'5s'`. */
  duration: Duration,
  /** Bytes (data plus partition keys) per batch. Default and cap: 5 MiB. */
  maxBytes: PositiveInteger,
});

/** How much is waiting in the operator: records that entered it and have no final outcome yet, and their bytes. */
export interface Backlog {
  /** Records waiting: buffered, queued or in flight. */
  readonly records: number;
  /** Their data plus partition key bytes. */
  readonly bytes: number;
}

/** The `backlog` block: a bound on what waits in memory, and a hook to apply backpressure. */
export const BacklogConfig = t.partial({
  /** Records waiting at most (buffered, queued or in flight). Default: no bound. */
  maxRecords: PositiveInteger,
  /** Bytes waiting at most (a single record larger than this is let in when nothing waits). Default: no bound. */
  maxBytes: PositiveInteger,
  /**
   * What happens to an item that would take the backlog over a bound. `'fail'`: it is reported at
   * once, in a result of its own, as failed with `BufferOverflow`, and nothing else changes.
   * `'error'`: the operator takes no more items; what waits is sent and reported, then the output
   * errors with a {@link KinesisBacklogOverflowError} that carries the refused item. Default `'fail'`.
   */
  overflow: refined<'fail' | 'error'>("'fail' or 'error'", (u): u is 'fail' | 'error' => u === 'fail' || u === 'error'),
  /**
   * Called with the backlog each time it changes: pause a source able to pause (a Node stream, a
   * queue consumer) above a high-water mark, and resume it below a low one.
   */
  onChange: callback<(backlog: Backlog) => void>(),
});

/** The `retry` block: how records that failed with a retryable error are sent again. */
export const RetryConfig = t.partial({
  /** `PutRecords` attempts a record may take in all, the first included. Default 10. */
  maxAttempts: PositiveInteger,
  /** Shortest wait before a retry. Default `'100ms'`. */
  minDelay: Duration,
  /** Longest wait before a retry (the backoff doubles up to it, with full jitter). Default `'5s'`. */
  maxDelay: Duration,
});

/** `retry: false` (one attempt, failures reported and logged) or the retry block. */
const Retry = new t.Type<false | t.TypeOf<typeof RetryConfig>>(
  'false or { maxAttempts?, minDelay?, maxDelay? }',
  (u): u is false | t.TypeOf<typeof RetryConfig> => u === false || RetryConfig.is(u),
  (u, c) => (u === false ? t.success(false) : isObject(u) ? RetryConfig.validate(u, c) : t.failure(u, c)),
  t.identity,
);

/**
 * The config codec for items of type `T`. Only the item callbacks depend on `T`; the runtime
 * checks are the same for every `T`, so {@link ToKinesisConfig} (the codec for any item) serves
 * for validation.
 *
 * @example
 * ```ts
 * const OrderConfig = toKinesisConfigCodec<Order>();
 * const result = OrderConfig.decode(JSON.parse(text)); // an io-ts Either
 * ```
 * @returns An io-ts codec whose type is `ToKinesisConfig<T>`.
 */
export function toKinesisConfigCodec<T>() {
  return t.partial({
    /** The stream to write to. Required unless `streamARN` is given. Seed YAML: `stream_name`. */
    streamName: NonEmptyString,
    /** The stream's ARN, instead of (or as well as) its name; needed for cross-account writes. */
    streamARN: StreamArn,
    /**
     * Where each record's partition key comes from. A string is a field path read from each item
     * (`'customer_id'`, `'order.id'`; a string or number value); a function computes the key
     * (`() => 'all'` gives one static key). Default: a fresh random UUID v4 per record.
     * A missing, empty or over-256-character key fails that record alone with `InvalidPartitionKey`.
     * Seed YAML: `partition_key`.
     */
    partitionKey: either("a field path such as 'customer_id' or 'order.id', or a function", FieldPath, callback<(item: T) => string | number>()),
    /**
     * Computes an explicit hash key (decimal, 0 .. 2^128-1) that overrides the hash of the
     * partition key; `undefined` means none. An invalid value fails that record with
     * `InvalidExplicitHashKey`. Default: none.
     */
    explicitHashKey: callback<(item: T) => string | undefined>(),
    /**
     * Turns an item into the bytes sent. Default: a `Uint8Array`/`Buffer` as is, a string as
     * UTF-8, anything else as `JSON.stringify`. A value that cannot be serialized fails that
     * record with `SerializationError`.
     */
    serialize: callback<(item: T) => Uint8Array | string>(),
    /** AWS region. Default: the SDK's region chain (`AWS_REGION`, profile); `us-east-1` when only `endpoint` is set. Seed YAML: `region`. */
    region: NonEmptyString,
    /** A custom endpoint (LocalStack, kinesis-mock, kinesalite). Seed YAML: `endpoint_url`. */
    endpoint: EndpointUrl,
    /** Static credentials or a provider. Default: the standard AWS credential chain. Seed YAML: `credentials`. */
    credentials: Credentials,
    /** Bring your own client; then `region`, `endpoint` and `credentials` must be left out. */
    client: Client,
    /** When a batch is closed: by count, bytes and time. Seed YAML: `batch.size`, `batch.duration`. */
    batch: BatchConfig,
    /** Largest record (data plus partition key) in bytes. Default 1 MiB; at most 10 MiB. */
    maxRecordBytes: RecordByteLimit,
    /**
     * How long one `PutRecords` request may take, from sending to the complete answer, before it
     * is abandoned and counted as a failed attempt (`ETIMEDOUT`, retried); an answer that stops
     * arriving for as long is abandoned the same way (`TimeoutError`). Applies to the client
     * built by the operator; configure your own client yourself. `0` turns the timeout off. Default `'30s'`.
     */
    requestTimeout: Duration,
    /** `PutRecords` calls in flight at once. Default 1: batches are sent one after another, in order. */
    concurrency: PositiveInteger,
    /** Retries of records that failed with a retryable error; `false` for a single attempt. Default `{ maxAttempts: 10, minDelay: '100ms', maxDelay: '5s' }`. */
    retry: Retry,
    /** Where warnings (partial failures, capped settings) and debug lines go. Default: warnings and errors to `console`. */
    logger: LoggerCodec,
    /** Scheduler for the time-based flush (use a `TestScheduler` for virtual time). Default: `asyncScheduler`. */
    scheduler: Scheduler,
    /** A bound on the records and bytes waiting in memory, and a hook for backpressure. Default: no bound. */
    backlog: BacklogConfig,
  });
}

/** The io-ts codec of {@link ToKinesisConfig} (item callbacks typed for any item). */
export const ToKinesisConfig = toKinesisConfigCodec<unknown>();

/**
 * The configuration of {@link toKinesis}, derived from its io-ts codec. Every field is described
 * on the codec; `T` is the type of the items, used by the item callbacks.
 *
 * @example
 * ```ts
 * const config: ToKinesisConfig<Order> = {
 *   streamName: 'orders',
 *   partitionKey: 'customer_id',
 *   batch: { size: 500, duration: '1s' },
 * };
 * ```
 * @useDeclaredType
 */
export type ToKinesisConfig<T> = t.TypeOf<ReturnType<typeof toKinesisConfigCodec<T>>>;

const SECRET_FIELDS = /^credentials(\.|$)/;

/** What a value was, for an error message; secrets are never shown. */
function describeValue(value: unknown, path: string): string {
  if (SECRET_FIELDS.test(path)) return 'the value given';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** One line per io-ts error: `path: message`. Union branches and intersection members are left out of the path. */
function reportErrors(errors: t.Errors): string[] {
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

/** Rules that involve more than one field; run on the raw input too, so every problem is listed at once. */
function crossFieldProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { streamName, streamARN, client, retry } = config;
  if (streamName === undefined && streamARN === undefined) problems.push('streamName: required (or give streamARN)');
  if (typeof streamName === 'string' && typeof streamARN === 'string' && !streamARN.endsWith(`:stream/${streamName}`)) {
    problems.push(`streamARN: names another stream than streamName '${streamName}'`);
  }
  if (client !== undefined) {
    const mixed = ['region', 'endpoint', 'credentials', 'requestTimeout'].filter((key) => config[key] !== undefined);
    if (mixed.length > 0) problems.push(`client: cannot be combined with ${mixed.join(', ')}; configure them on your KinesisClient`);
  }
  if (isObject(retry)) {
    const min = durationToMs(retry['minDelay'] ?? DEFAULTS.retry.minDelay);
    const max = durationToMs(retry['maxDelay'] ?? DEFAULTS.retry.maxDelay);
    if (min !== undefined && max !== undefined && min > max) {
      problems.push(`retry.minDelay: ${min} ms is longer than retry.maxDelay (${max} ms)`);
    }
  }
  return problems;
}

/**
 * Checks a `toKinesis` configuration.
 *
 * @example
 * ```ts
 * const config = validateConfig<Order>({ streamName: 'orders', partitionKey: 'customer_id' });
 * ```
 * @param input - The configuration as given (any value).
 * @returns The same configuration, typed.
 * @throws {@link KinesisConfigError} listing every problem with its field path.
 */
export function validateConfig<T>(input: unknown): ToKinesisConfig<T> {
  if (!isObject(input)) throw new KinesisConfigError([`config: expected an object, got ${describeValue(input, '')}`]);
  const problems = unknownFields(input, ToKinesisConfig.props, '');
  for (const [key, codec] of [['batch', BatchConfig], ['retry', RetryConfig], ['backlog', BacklogConfig]] as const) {
    const block = input[key];
    if (isObject(block)) problems.push(...unknownFields(block, codec.props, `${key}.`));
  }
  const decoded = ToKinesisConfig.decode(input);
  if (isLeft(decoded)) problems.push(...reportErrors(decoded.left));
  problems.push(...crossFieldProblems(input));
  if (problems.length > 0) throw new KinesisConfigError(problems);
  return input as ToKinesisConfig<T>;
}
