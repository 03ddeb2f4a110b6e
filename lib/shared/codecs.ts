/**
 * Shared io-ts building blocks: codecs for values that only a predicate can check, callbacks,
 * either-of-two values, fields that take a flag or a block of settings, objects with behaviour,
 * and the plain values every configuration of this package uses.
 *
 * @module
 */
import * as t from 'io-ts';
import { isFieldPath } from './fieldPath.js';

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

/**
 * The codec of a field that takes a flag (such as `false`, or a provider function) or a block of
 * settings. It carries the block's codec, so that the validator checks the block's field names
 * as it does those of any other block (see `blockFields` in validation.ts).
 */
export class FlagOrBlockType<A> extends t.Type<A> {
  /**
   * @param name - What the value should have been, for the error message.
   * @param is - Whether a value is the flag or a valid block.
   * @param validate - Checks a value: the flag as it is, an object as the block.
   * @param block - The block's codec.
   */
  constructor(
    name: string,
    is: t.Is<A>,
    validate: t.Validate<unknown, A>,
    /** The codec of the block of settings. */
    readonly block: t.Mixed,
  ) {
    super(name, is, validate, t.identity);
  }
}

/**
 * A codec for a field that takes a flag or a block of settings: a value `flag` accepts is taken as
 * it is, an object is checked as `block` (errors with the block's field paths), and anything else
 * is refused with `name`.
 *
 * @example
 * ```ts
 * const Retry = flagOrBlock('false or { maxAttempts?, minDelay?, maxDelay? }', t.literal(false), RetryConfig);
 * ```
 * @param name - What the value should have been, for the error message.
 * @param flag - The codec of the flag.
 * @param block - The codec of the block.
 * @returns The codec: a {@link FlagOrBlockType}, carrying `block` for the validator (typed as a plain
 * codec, so that the configuration types do not name it).
 */
export function flagOrBlock<F, B extends t.Mixed>(name: string, flag: t.Type<F>, block: B): t.Type<F | t.TypeOf<B>> {
  return new FlagOrBlockType<F | t.TypeOf<B>>(
    name,
    (u): u is F | t.TypeOf<B> => flag.is(u) || block.is(u),
    (u, c) => (flag.is(u) ? t.success(u) : isObject(u) ? block.validate(u, c) : t.failure(u, c)),
    block,
  );
}

/**
 * The codec of an object with behaviour, such as a logger: its other members (the many methods
 * of `console`) are its own business, so the validator does not check its field names.
 */
export class BehaviourType<A> extends t.Type<A> {}

/**
 * A codec for an object with behaviour: it must have at least one of `methods`, each of the right
 * type when given (a wrong one is refused with its path); its other members are not checked.
 *
 * @example
 * ```ts
 * const LoggerCodec = behaviour('a console-shaped logger such as console', { warn: callback<(message: string) => void>() });
 * ```
 * @param name - What the value should have been, for the error message.
 * @param methods - The codec of each method the object may have.
 * @returns The codec: a {@link BehaviourType}, which the validator reads as behaviour (typed as a
 * plain codec, so that the configuration types do not name it).
 */
export function behaviour<P extends t.Props>(name: string, methods: P): t.Type<t.TypeOfPartialProps<P>> {
  const members = t.partial(methods);
  const names = Object.keys(methods);
  const hasOne = (u: Record<string, unknown>): boolean => names.some((key) => u[key] !== undefined);
  return new BehaviourType<t.TypeOfPartialProps<P>>(
    name,
    (u): u is t.TypeOfPartialProps<P> => isObject(u) && hasOne(u) && members.is(u),
    (u, c) => {
      if (!isObject(u)) return t.failure(u, c);
      if (!hasOne(u)) return t.failure(u, c, `has none of ${names.join(', ')} (${name})`);
      return members.validate(u, c);
    },
    t.identity,
  );
}

export const NonEmptyString = refined('a non-empty string', (u): u is string => typeof u === 'string' && u.length > 0);
export const PositiveInteger = refined(
  'a positive integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
);
export const FieldPath = refined(
  "a field path such as 'customer_id' or 'order.id'",
  (u): u is string => typeof u === 'string' && isFieldPath(u),
);
export const EndpointUrl = refined(
  "an http(s) URL such as 'http://localhost:4566'",
  (u): u is string => typeof u === 'string' && URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
);
