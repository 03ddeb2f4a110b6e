/**
 * Shared io-ts building blocks: codecs for values that only a predicate can check, callbacks,
 * either-of-two values, and the plain values every configuration of this package uses.
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
