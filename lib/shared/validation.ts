/**
 * Validation: turns unknown input into a typed configuration, or a {@link KinesisConfigError}
 * listing every problem with its field path (unknown fields, wrong types, cross-field rules);
 * secret values are never shown.
 *
 * @module
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { isObject } from './codecs.js';
import { KinesisConfigError } from './errors.js';

const SECRET_FIELDS = /^credentials(\.|$)/;

/**
 * What type a value is, for an error message, never the value itself: `'a string'`, `'a number'`,
 * `'an array'`, `'an object'`, `'a function'`, `'null'`, `'undefined'`.
 *
 * @param value - Any value.
 * @returns Its type, with its article.
 */
export function describeType(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * What a field's wrong value was, for an error message: a string (its first 60 characters) or a
 * number or boolean as written, anything else by its type; values under `credentials` are never shown.
 *
 * @param value - The field's value.
 * @param path - The field's path (`batch.duration`), which says whether the value is a secret.
 * @returns The value, or what stands for it.
 */
export function describeValue(value: unknown, path: string): string {
  if (SECRET_FIELDS.test(path)) return 'the value given';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeType(value);
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
  // The whole input may be a secret or a whole file: only its type is named.
  if (!isObject(input)) throw new KinesisConfigError([`config: expected an object, got ${describeType(input)}`], schema.subject);
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
