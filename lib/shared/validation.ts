/**
 * Validation: turns unknown input into a typed configuration, or a {@link KinesisConfigError}
 * listing every problem with its field path (unknown fields, wrong types, cross-field rules);
 * secret values are never shown.
 *
 * @module
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { BehaviourType, FlagOrBlockType, isObject } from './codecs.js';
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

/**
 * The fields of a data block, read from its codec: a `t.type`, a `t.partial`, an intersection of
 * blocks, or the block a {@link FlagOrBlockType} carries (`retry: false | {...}`). `undefined` for
 * any other codec, whose value is not looked into: a plain value, a callback, a client or scheduler,
 * an object with behaviour ({@link BehaviourType}, such as a logger).
 *
 * @param codec - A field's codec, or a whole configuration's.
 * @returns The block's fields by name, or `undefined` when the codec is not a data block.
 */
export function blockFields(codec: t.Mixed): t.Props | undefined {
  if (codec instanceof BehaviourType) return undefined;
  if (codec instanceof FlagOrBlockType) return blockFields(codec.block);
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) return codec.props as t.Props;
  if (codec instanceof t.IntersectionType) {
    const members = (codec.types as t.Mixed[]).map(blockFields);
    return members.every((fields) => fields !== undefined) ? Object.assign({}, ...members) : undefined;
  }
  return undefined;
}

/**
 * The fields of `value` its codec's blocks do not know, at any depth, as
 * `path: unknown field (known: a, b)` lines; only field names are shown, never values.
 */
function unknownFields(codec: t.Mixed, value: unknown, prefix: string): string[] {
  const fields = blockFields(codec);
  if (fields === undefined || !isObject(value)) return [];
  const known = Object.keys(fields).join(', ');
  return Object.entries(value).flatMap(([key, field]) =>
    Object.hasOwn(fields, key) ? unknownFields(fields[key]!, field, `${prefix}${key}.`) : [`${prefix}${key}: unknown field (known: ${known})`],
  );
}

/** How to check one kind of configuration. */
export interface ConfigSchema {
  /** Whose config it is, for the error message (`'fromKinesis'`, ...). Default `'toKinesis'`. */
  readonly subject?: string;
  /** The codec of the whole configuration; the blocks in it (see {@link blockFields}) are checked for unknown fields too. */
  readonly codec: t.PartialType<t.Props>;
  /** Rules that involve more than one field; run on the raw input too, so every problem is listed at once. */
  readonly crossFieldProblems: (config: Record<string, unknown>) => string[];
}

/**
 * Checks a configuration against its schema: every field's type, unknown fields (in every data
 * block of the codec, at any depth), and the cross-field rules.
 *
 * @example
 * ```ts
 * const config = checkConfig<FromKinesisConfig>(input, { subject: 'fromKinesis', codec: FromKinesisConfig, crossFieldProblems: connectionProblems });
 * ```
 * @param input - The configuration as given (any value).
 * @param schema - The codec and the cross-field rules.
 * @returns The same configuration, typed.
 * @throws {@link KinesisConfigError} listing every problem with its field path.
 */
export function checkConfig<C>(input: unknown, schema: ConfigSchema): C {
  // The whole input may be a secret or a whole file: only its type is named.
  if (!isObject(input)) throw new KinesisConfigError([`config: expected an object, got ${describeType(input)}`], schema.subject);
  const problems = unknownFields(schema.codec, input, '');
  const decoded = schema.codec.decode(input);
  if (isLeft(decoded)) problems.push(...reportErrors(decoded.left));
  problems.push(...schema.crossFieldProblems(input));
  if (problems.length > 0) throw new KinesisConfigError(problems, schema.subject);
  return input as C;
}
