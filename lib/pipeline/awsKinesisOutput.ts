/**
 * The pipeline file: the `aws_kinesis` output block of a pipeline YAML file
 * (snake_case fields, `${VAR}` environment interpolation), turned into a validated
 * {@link ToKinesisConfig}.
 *
 * @module
 */
import * as t from 'io-ts';
import { isScalar, isPair, LineCounter, parseDocument, parse as parseYamlValue, visit } from 'yaml';
import type { Document, Scalar } from 'yaml';
import { validateToKinesisConfig } from '../producer/config.js';
import type { ToKinesisConfig } from '../producer/config.js';
import { EndpointUrl, FieldPath, isObject, NonEmptyString, PositiveInteger } from '../shared/codecs.js';
import { Duration } from '../shared/duration.js';
import { KinesisConfigError, messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { checkConfig } from '../shared/validation.js';
import { isPipeline, OUTPUT_PATH, outputBlockOf } from './pipelineFile.js';

/** Whose config a problem of a whole pipeline file is about, in error messages. */
const PIPELINE_SUBJECT = 'pipeline';

/** Whose config a pipeline-file problem is about, in error messages. */
const OUTPUT_SUBJECT = 'aws_kinesis output';
/**
 * The `credentials` block of the `aws_kinesis` output: static keys (the values are never shown in errors).
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(AwsKinesisCredentials.decode({ access_key_id: 'AKID', secret_access_key: 'SECRET' })); // true
 * ```
 * @category Pipeline file
 */
export const AwsKinesisCredentials = t.partial({
  /** The access key id (`AWS_ACCESS_KEY_ID`). Required with `secret_access_key`. */
  access_key_id: NonEmptyString,
  /** The secret access key (`AWS_SECRET_ACCESS_KEY`). Required with `access_key_id`. */
  secret_access_key: NonEmptyString,
  /** The session token of temporary credentials (`AWS_SESSION_TOKEN`). Optional; empty is the same as none. */
  session_token: t.string,
});

/**
 * The `batch` block of the `aws_kinesis` output.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(AwsKinesisBatch.decode({ size: 500, duration: '1s' })); // true
 * ```
 * @category Pipeline file
 */
export const AwsKinesisBatch = t.partial({
  /** Records per batch. Default 500; a larger value is capped at 500 (one `PutRecords` request), with a warning. */
  size: PositiveInteger,
  /** How long the first record of a batch may wait for the batch to fill: `'250ms'`, `'5s'`, or milliseconds. Default `'5s'`. */
  duration: Duration,
});

/**
 * The io-ts codec of the `aws_kinesis` output block, the source of {@link AwsKinesisOutput}.
 * `stream_name` is required (checked by {@link loadAwsKinesisOutput}, which lists it with the other problems).
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 *
 * isRight(AwsKinesisOutput.decode({ stream_name: 'orders', partition_key: 'customer_id' })); // true
 * ```
 * @category Pipeline file
 */
export const AwsKinesisOutput = t.partial({
  /** The stream to write to. Required. */
  stream_name: NonEmptyString,
  /** The field of each record whose value is its partition key (`order_id`, `customer_id`, `order.id`). Default: a random UUID per record. */
  partition_key: FieldPath,
  /** AWS region. Default: the SDK's region chain (`AWS_REGION`, profile). */
  region: NonEmptyString,
  /** A custom endpoint (LocalStack, kinesis-mock, kinesalite), such as `http://localhost:4566`. Default: AWS. */
  endpoint_url: EndpointUrl,
  /** Static credentials. Default: the standard AWS credential chain. */
  credentials: AwsKinesisCredentials,
  /** When a batch is closed and sent. */
  batch: AwsKinesisBatch,
});

/**
 * The `aws_kinesis` output block, as written in a pipeline YAML file; derived from its codec.
 *
 * @example
 * ```ts
 * const block: AwsKinesisOutput = { stream_name: 'orders', partition_key: 'customer_id', batch: { size: 500, duration: '1s' } };
 * ```
 * @useDeclaredType
 * @category Pipeline file
 */
export type AwsKinesisOutput = t.TypeOf<typeof AwsKinesisOutput>;

/**
 * Options of {@link loadAwsKinesisOutput} and {@link parsePipelineYaml}.
 *
 * @example
 * ```ts
 * const options: PipelineOptions = { env: { STREAM: 'orders' }, logger: console };
 * ```
 * @category Pipeline file
 */
export interface PipelineOptions {
  /** Where `${VAR}` takes its values from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Put into the config as its `logger` (for example to send the warning of a capped `batch.size` elsewhere). Default: none (the operator's default). */
  readonly logger?: Partial<Logger>;
}

/** `${NAME}` or `${NAME:default}`. */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/** The snake_case name of every field of a {@link ToKinesisConfig} the `aws_kinesis` block sets. */
const OUTPUT_FIELD_NAMES: Readonly<Record<string, string>> = {
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

/** A problem reported by {@link validateToKinesisConfig}, with its field path in the pipeline file's names. */
function inOutputNames(problem: string): string {
  const colon = problem.indexOf(':');
  const path = problem.slice(0, colon);
  return colon > 0 && OUTPUT_FIELD_NAMES[path] !== undefined ? `${OUTPUT_FIELD_NAMES[path]}${problem.slice(colon)}` : problem;
}

/** A plain value that a `${VAR}` made a number or boolean, with the text it was, until {@link settleVariables} puts the value in its place. */
class FromVariable {
  constructor(
    readonly text: string,
    readonly value: unknown,
  ) {}
}

/**
 * Every plain value of a {@link parsePipelineYaml} result that a `${VAR}` made a number or boolean,
 * with its text, by the object that holds it and its key: {@link loadAwsKinesisOutput} gives a text
 * field (still holding that value) its text back (`stream_name: ${STREAM}` with `STREAM=2024` is
 * `'2024'`, not 2024; an access key of digits keeps its leading zeros).
 */
const VARIABLE_TEXTS = new WeakMap<object, Map<string, FromVariable>>();

/** The one block whose values may be numbers (`batch.size`, `batch.duration` in ms): a `${VAR}` there stays a number. */
const NUMBERS_BLOCK = 'batch';

/** Puts each {@link FromVariable}'s value in its place, noting its text in {@link VARIABLE_TEXTS}. */
function settleVariables(value: unknown, seen = new Set<object>()): unknown {
  if (value instanceof FromVariable) return value.value;
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  const fields = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(fields)) {
    if (field instanceof FromVariable && !Array.isArray(value)) {
      VARIABLE_TEXTS.set(value, (VARIABLE_TEXTS.get(value) ?? new Map<string, FromVariable>()).set(key, field));
    }
    fields[key] = settleVariables(field, seen);
  }
  return value;
}

/** A block with every `${VAR}` outside {@link NUMBERS_BLOCK} as the text it was (see {@link VARIABLE_TEXTS}), unless the field was set again since. */
function variablesAsText(value: unknown): unknown {
  if (!isObject(value)) return value;
  const variables = VARIABLE_TEXTS.get(value);
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      const variable = variables?.get(key);
      if (key === NUMBERS_BLOCK) return [key, field];
      return [key, variable !== undefined && Object.is(variable.value, field) ? variable.text : variablesAsText(field)];
    }),
  );
}

/** A YAML error raised while the values are built (an alias with no anchor): its kind, never the text after it, and its line when an alias is to blame. */
function valueError(error: unknown, document: Document, lines: LineCounter): string {
  let line: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (node.resolve(document) !== undefined || node.range === undefined || node.range === null) return undefined;
      line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  // yaml's messages put the name or text last, after a colon: `Unresolved alias (...): name`.
  return `yaml: ${messageOf(error).split(':')[0]!.trim()}${line === undefined ? '' : ` (line ${line})`}`;
}

/** The cross-field rules of the `aws_kinesis` block. */
function outputProblems(block: Record<string, unknown>): string[] {
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
 * Parses pipeline YAML text and replaces every `${NAME}` (or `${NAME:default}`) in its values
 * with the environment variable's value. A plain (unquoted) value that becomes a number or a
 * boolean is one (`size: ${BATCH_SIZE}` gives a number; {@link loadAwsKinesisOutput} gives a text
 * field such as `stream_name` the text back); a quoted one stays a string. A value never changes
 * the structure of the file (a `: ` or `#` in it is text). Comments are left alone:
 * a variable named in a comment need not be set. There is no escape for a literal `${`.
 *
 * @example
 * ```ts
 * parsePipelineYaml('stream_name: ${STREAM}\nbatch: { size: ${SIZE} }', { env: { STREAM: 'orders', SIZE: '100' } });
 * // { stream_name: 'orders', batch: { size: 100 } }
 * ```
 * @param text - The YAML text.
 * @param options - Where variables come from (default `process.env`).
 * @returns The parsed value.
 * @throws {@link KinesisConfigError} for a YAML syntax error or an alias with no anchor (with its
 * line, never the text itself, which may hold a secret) or a variable that is not set (naming it
 * and its field).
 * @category Pipeline file
 */
export function parsePipelineYaml(text: string, options: Pick<PipelineOptions, 'env'> = {}): unknown {
  const env = options.env ?? process.env;
  // Each `${...}` becomes a plain word before parsing, so that it can stand anywhere a value can
  // (`{ size: ${SIZE} }` in a flow map too) and no value can change the structure of the file.
  const nonce = Math.random().toString(36).slice(2, 10);
  const variables: { readonly name: string; readonly fallback: string | undefined }[] = [];
  const masked = text.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => `rxjsKinesisVar${nonce}x${variables.push({ name, fallback }) - 1}x`);
  const placeholder = new RegExp(`rxjsKinesisVar${nonce}x(\\d+)x`, 'g');
  const lines = new LineCounter();
  const document = parseDocument(masked, { prettyErrors: true, lineCounter: lines });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    // The first line of the message only: the excerpt after it would show the text, which may hold a secret.
    const what = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new KinesisConfigError([`yaml: ${what}${syntax.linePos ? ` (line ${syntax.linePos[0].line})` : ''}`], OUTPUT_SUBJECT);
  }
  const problems: string[] = [];
  visit(document, {
    Scalar(key, node: Scalar, path) {
      if (typeof node.value !== 'string' || !node.value.includes(nonce)) return;
      const field = path.filter(isPair).map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key))).join('.');
      const replaced = node.value.replace(placeholder, (_match, index: string) => {
        const { name, fallback } = variables[Number(index)]!;
        const value = env[name] ?? fallback;
        if (value === undefined) problems.push(`${field}: environment variable ${name} is not set`);
        return value ?? '';
      });
      const value = node.type === 'PLAIN' ? plainScalar(replaced) : replaced;
      // A map's value keeps its text too, for loadAwsKinesisOutput's text fields (a key or a list item need not).
      node.value = key === 'value' && typeof value !== 'string' ? new FromVariable(replaced, value) : value;
    },
  });
  if (problems.length > 0) throw new KinesisConfigError([...new Set(problems)], OUTPUT_SUBJECT);
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    throw new KinesisConfigError([valueError(error, document, lines)], OUTPUT_SUBJECT);
  }
  return settleVariables(value);
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
 * Turns an `aws_kinesis` output block, or a whole pipeline file holding one (an object, or YAML
 * text), into a validated
 * {@link ToKinesisConfig}: `stream_name` -> `streamName`, `partition_key` -> `partitionKey` (a
 * field path), `region`, `endpoint_url` -> `endpoint`, `credentials.access_key_id` /
 * `secret_access_key` / `session_token` -> `credentials`, `batch.size` / `batch.duration` ->
 * `batch`. In YAML text, `${NAME}` is replaced by the environment variable (see
 * {@link parsePipelineYaml}); an unquoted one becomes a number only in `batch` and stays text in
 * every other field (`stream_name: ${STREAM}` with `STREAM=2024` is the stream `'2024'`). An
 * object is taken as it is (an object from {@link parsePipelineYaml} with its variables' text, as
 * from YAML text). A `batch.size` over 500 is capped at 500
 * by the operator, with a warning.
 *
 * @example
 * ```ts
 * const config = loadAwsKinesisOutput(`
 *   stream_name: orders
 *   partition_key: customer_id
 *   region: \${AWS_REGION}
 *   batch: { size: 500, duration: 1s }
 * `);
 * orders$.pipe(toKinesis(config));
 * ```
 * @param input - The `aws_kinesis` block, or a whole pipeline file (`input: { stdin: {} }`, `output:
 * { aws_kinesis: {...} }`, as the `rxjs-kinesis` command takes it; anything else in it is refused by
 * name): an object, or YAML text.
 * @param options - Where `${VAR}` takes its values from; a logger to put into the config.
 * @returns The configuration for {@link toKinesis}.
 * @throws {@link KinesisConfigError} listing every problem, each with its field path in the
 * pipeline file's names (`batch.size: 'ten' is not a positive integer`, `stream_name: required`), or the
 * YAML error of YAML text (see {@link parsePipelineYaml}); secret values are never shown.
 * @see {@link AwsKinesisOutput} for every field.
 * @category Pipeline file
 */
export function loadAwsKinesisOutput<T = unknown>(input: unknown, options: PipelineOptions = {}): ToKinesisConfig<T> {
  const parsed = typeof input === 'string' ? parsePipelineYaml(input, options) : input;
  if (!isPipeline(parsed)) return loadBlock<T>(parsed, options, '');
  const found = outputBlockOf(parsed);
  if ('problems' in found) throw new KinesisConfigError(found.problems, PIPELINE_SUBJECT);
  return loadBlock<T>(found.block, options, `${OUTPUT_PATH}.`);
}

/** {@link loadAwsKinesisOutput} of an `aws_kinesis` block; `prefix` is its path in the file, for the problems. */
function loadBlock<T>(parsed: unknown, options: PipelineOptions, prefix: string): ToKinesisConfig<T> {
  const within = (error: unknown): unknown =>
    error instanceof KinesisConfigError && prefix !== '' ? new KinesisConfigError(error.problems.map((problem) => `${prefix}${problem}`), PIPELINE_SUBJECT) : error;
  const value = variablesAsText(parsed);
  let block: AwsKinesisOutput;
  try {
    block = checkConfig<AwsKinesisOutput>(value, {
      subject: OUTPUT_SUBJECT,
      codec: AwsKinesisOutput,
      crossFieldProblems: outputProblems,
    });
  } catch (error) {
    throw within(error);
  }
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
    return validateToKinesisConfig<T>(defined);
  } catch (error) {
    throw within(error instanceof KinesisConfigError ? new KinesisConfigError(error.problems.map(inOutputNames), OUTPUT_SUBJECT) : error);
  }
}
