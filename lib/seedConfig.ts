/**
 * The seed's configuration format: the `aws_kinesis` output block of a pipeline YAML file
 * (snake_case fields, `${VAR}` environment interpolation), turned into a validated
 * {@link ToKinesisConfig}.
 *
 * @module
 */
import * as t from 'io-ts';
import { isScalar, isPair, parseDocument, parse as parseYamlValue, visit } from 'yaml';
import type { Scalar } from 'yaml';
import { checkConfig, EndpointUrl, FieldPath, isObject, NonEmptyString, PositiveInteger } from './codecs.js';
import type { Logger } from './codecs.js';
import { validateConfig } from './config.js';
import type { ToKinesisConfig } from './config.js';
import { Duration } from './duration.js';
import { KinesisConfigError } from './errors.js';


/** Whose config a seed-format problem is about, in error messages. */
const SEED_SUBJECT = 'aws_kinesis output';
/**
 * The `credentials` block of the seed format: static keys (the values are never shown in errors).
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(SeedCredentials.decode({ access_key_id: 'AKID', secret_access_key: 'SECRET' })); // true
 * ```
 */
export const SeedCredentials = t.partial({
  /** The access key id (`AWS_ACCESS_KEY_ID`). Required with `secret_access_key`. */
  access_key_id: NonEmptyString,
  /** The secret access key (`AWS_SECRET_ACCESS_KEY`). Required with `access_key_id`. */
  secret_access_key: NonEmptyString,
  /** The session token of temporary credentials (`AWS_SESSION_TOKEN`). Optional; empty is the same as none. */
  session_token: t.string,
});

/**
 * The `batch` block of the seed format.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(SeedBatch.decode({ size: 500, duration: '1s' })); // true
 * ```
 */
export const SeedBatch = t.partial({
  /** Records per batch. Default 500; a larger value is capped at 500 (one `PutRecords` request), with a warning. */
  size: PositiveInteger,
  /** How long the first record of a batch may wait for the batch to fill: `'250ms'`, `'5s'`, or milliseconds. Default `'5s'`. */
  duration: Duration,
});

/**
 * The io-ts codec of the seed's `aws_kinesis` block, the source of {@link SeedKinesisOutput}.
 * `stream_name` is required (checked by {@link loadSeedConfig}, which lists it with the other problems).
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(SeedKinesisOutput.decode({ stream_name: 'orders', partition_key: 'customer_id' })); // true
 * ```
 */
export const SeedKinesisOutput = t.partial({
  /** The stream to write to. Required. */
  stream_name: NonEmptyString,
  /** The field of each record whose value is its partition key (`order_id`, `customer_id`, `order.id`). Default: a random UUID per record. */
  partition_key: FieldPath,
  /** AWS region. Default: the SDK's region chain (`AWS_REGION`, profile). */
  region: NonEmptyString,
  /** A custom endpoint (LocalStack, kinesis-mock, kinesalite), such as `http://localhost:4566`. Default: AWS. */
  endpoint_url: EndpointUrl,
  /** Static credentials. Default: the standard AWS credential chain. */
  credentials: SeedCredentials,
  /** When a batch is closed and sent. */
  batch: SeedBatch,
});

/**
 * The seed's `aws_kinesis` block, as written in a pipeline YAML file; derived from its codec.
 *
 * @example
 * ```ts
 * const block: SeedKinesisOutput = { stream_name: 'orders', partition_key: 'customer_id', batch: { size: 500, duration: '1s' } };
 * ```
 * @useDeclaredType
 */
export type SeedKinesisOutput = t.TypeOf<typeof SeedKinesisOutput>;

/**
 * Options of {@link loadSeedConfig} and {@link parseSeedYaml}.
 *
 * @example
 * ```ts
 * const options: SeedConfigOptions = { env: { STREAM: 'orders' }, logger: console };
 * ```
 */
export interface SeedConfigOptions {
  /** Where `${VAR}` takes its values from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Put into the config as its `logger` (for example to send the warning of a capped `batch.size` elsewhere). Default: none (the operator's default). */
  readonly logger?: Partial<Logger>;
}

/** `${NAME}` or `${NAME:default}`. */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/** The snake_case name of every field of a {@link ToKinesisConfig} the seed block sets. */
const SEED_NAMES: Readonly<Record<string, string>> = {
  streamName: 'stream_name',
  partitionKey: 'partition_key',
  region: 'region',
  endpoint: 'endpoint_url',
  credentials: 'credentials',
  'credentials.accessKeyId': 'credentials.access_key_id',
  'credentials.secretAccessKey': 'credentials.secret_access_key',
  'credentials.sessionToken': 'credentials.session_token',
  batch: 'batch',
  'batch.size': 'batch.size',
  'batch.duration': 'batch.duration',
};

/** A problem reported by {@link validateConfig}, with its field path in the seed's names. */
function inSeedNames(problem: string): string {
  const colon = problem.indexOf(':');
  const path = problem.slice(0, colon);
  return colon > 0 && SEED_NAMES[path] !== undefined ? `${SEED_NAMES[path]}${problem.slice(colon)}` : problem;
}

/** The cross-field rules of the seed block. */
function seedProblems(block: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (block['stream_name'] === undefined) problems.push('stream_name: required');
  const credentials = block['credentials'];
  if (isObject(credentials)) {
    for (const [field, other] of [['access_key_id', 'secret_access_key'], ['secret_access_key', 'access_key_id']] as const) {
      if (credentials[field] === undefined && credentials[other] !== undefined) problems.push(`credentials.${field}: required with credentials.${other}`);
    }
    if (credentials['access_key_id'] === undefined && credentials['secret_access_key'] === undefined) {
      problems.push('credentials: give access_key_id and secret_access_key (or leave credentials out for the standard AWS chain)');
    }
  }
  return problems;
}

/**
 * Parses seed-format YAML text and replaces every `${NAME}` (or `${NAME:default}`) in its values
 * with the environment variable's value. A plain (unquoted) value that becomes a number or a
 * boolean is one (`size: ${BATCH_SIZE}` gives a number); a quoted one stays a string. A value
 * never changes the structure of the file (a `: ` or `#` in it is text). Comments are left alone:
 * a variable named in a comment need not be set. There is no escape for a literal `${`.
 *
 * @example
 * ```ts
 * parseSeedYaml('stream_name: ${STREAM}\nbatch: { size: ${SIZE} }', { env: { STREAM: 'orders', SIZE: '100' } });
 * // { stream_name: 'orders', batch: { size: 100 } }
 * ```
 * @param text - The YAML text.
 * @param options - Where variables come from (default `process.env`).
 * @returns The parsed value.
 * @throws {@link KinesisConfigError} for a YAML syntax error (with its line, never the text
 * itself, which may hold a secret) or a variable that is not set (naming it and its field).
 */
export function parseSeedYaml(text: string, options: Pick<SeedConfigOptions, 'env'> = {}): unknown {
  const env = options.env ?? process.env;
  // Each `${...}` becomes a plain word before parsing, so that it can stand anywhere a value can
  // (`{ size: ${SIZE} }` in a flow map too) and no value can change the structure of the file.
  const nonce = Math.random().toString(36).slice(2, 10);
  const variables: { readonly name: string; readonly fallback: string | undefined }[] = [];
  const masked = text.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => `rxjsKinesisVar${nonce}x${variables.push({ name, fallback }) - 1}x`);
  const placeholder = new RegExp(`rxjsKinesisVar${nonce}x(\\d+)x`, 'g');
  const document = parseDocument(masked, { prettyErrors: true });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    // The first line of the message only: the excerpt after it would show the text, which may hold a secret.
    const what = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new KinesisConfigError([`yaml: ${what}${syntax.linePos ? ` (line ${syntax.linePos[0].line})` : ''}`], SEED_SUBJECT);
  }
  const problems: string[] = [];
  visit(document, {
    Scalar(_key, node: Scalar, path) {
      if (typeof node.value !== 'string' || !node.value.includes(nonce)) return;
      const field = path.filter(isPair).map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key))).join('.');
      const replaced = node.value.replace(placeholder, (_match, index: string) => {
        const { name, fallback } = variables[Number(index)]!;
        const value = env[name] ?? fallback;
        if (value === undefined) problems.push(`${field}: environment variable ${name} is not set`);
        return value ?? '';
      });
      node.value = node.type === 'PLAIN' ? plainScalar(replaced) : replaced;
    },
  });
  if (problems.length > 0) throw new KinesisConfigError([...new Set(problems)], SEED_SUBJECT);
  return document.toJS();
}

/** A plain YAML scalar's value after interpolation: a number or boolean when it reads as one, else the text. */
function plainScalar(text: string): unknown {
  try {
    const value: unknown = parseYamlValue(text);
    return typeof value === 'number' || typeof value === 'boolean' ? value : text;
  } catch {
    return text;
  }
}

/**
 * Turns the seed's `aws_kinesis` block (an object, or YAML text) into a validated
 * {@link ToKinesisConfig}: `stream_name` -> `streamName`, `partition_key` -> `partitionKey` (a
 * field path), `region`, `endpoint_url` -> `endpoint`, `credentials.access_key_id` /
 * `secret_access_key` / `session_token` -> `credentials`, `batch.size` / `batch.duration` ->
 * `batch`. In YAML text, `${NAME}` is replaced by the environment variable (see
 * {@link parseSeedYaml}); an object is taken as it is. A `batch.size` over 500 is capped at 500
 * by the operator, with a warning.
 *
 * @example
 * ```ts
 * const config = loadSeedConfig(`
 *   stream_name: orders
 *   partition_key: customer_id
 *   region: \${AWS_REGION}
 *   batch: { size: 500, duration: 1s }
 * `);
 * orders$.pipe(toKinesis(config));
 * ```
 * @param input - The `aws_kinesis` block: an object, or YAML text.
 * @param options - Where `${VAR}` takes its values from; a logger to put into the config.
 * @returns The configuration for {@link toKinesis}.
 * @throws {@link KinesisConfigError} listing every problem, each with its field path in the
 * seed's names (`batch.size: 'ten' is not a positive integer`, `stream_name: required`); secret
 * values are never shown.
 * @see {@link SeedKinesisOutput} for every field.
 */
export function loadSeedConfig<T = unknown>(input: unknown, options: SeedConfigOptions = {}): ToKinesisConfig<T> {
  const value = typeof input === 'string' ? parseSeedYaml(input, options) : input;
  const block = checkConfig<SeedKinesisOutput>(value, {
    subject: SEED_SUBJECT,
    codec: SeedKinesisOutput,
    blocks: { batch: SeedBatch, credentials: SeedCredentials },
    crossFieldProblems: seedProblems,
  });
  const { credentials, batch } = block;
  const config: Record<string, unknown> = {
    streamName: block.stream_name,
    partitionKey: block.partition_key,
    region: block.region,
    endpoint: block.endpoint_url,
    credentials: credentials && {
      accessKeyId: credentials.access_key_id,
      secretAccessKey: credentials.secret_access_key,
      ...(credentials.session_token ? { sessionToken: credentials.session_token } : {}), // `${AWS_SESSION_TOKEN:}` may leave it empty
    },
    batch: batch && Object.fromEntries(Object.entries(batch).filter(([, setting]) => setting !== undefined)),
    logger: options.logger,
  };
  const defined = Object.fromEntries(Object.entries(config).filter(([, setting]) => setting !== undefined));
  try {
    return validateConfig<T>(defined);
  } catch (error) {
    if (error instanceof KinesisConfigError) throw new KinesisConfigError(error.problems.map(inSeedNames), SEED_SUBJECT);
    throw error;
  }
}
