/**
 * The configuration error, shaped like the AWS SDK's exception classes (a literal `name` and the
 * data needed to act on it), the message of anything thrown, and an SDK error stripped of the
 * HTTP exchange (and the credentials in it) before it is passed on.
 *
 * @module
 */

/**
 * Thrown synchronously by {@link toKinesis} (and the config validator) when the configuration is
 * invalid. The message lists every problem, each with its field path; secret values are never
 * echoed.
 *
 * @example
 * ```ts
 * try {
 *   toKinesis({ batch: { duration: 'soon' } });
 * } catch (error) {
 *   if (error instanceof KinesisConfigError) console.error(error.problems);
 *   // [ 'streamName: required (or give streamARN)', "batch.duration: 'soon' is not a duration ..." ]
 * }
 * ```
 * @category Errors
 */
export class KinesisConfigError extends Error {
  /** Always `'KinesisConfigError'`. */
  override readonly name = 'KinesisConfigError' as const;

  /**
   * @param problems - One line per problem, each starting with the field path (`batch.size: ...`).
   * @param subject - Whose config it is, for the message: `'toKinesis'` (the default), `'fromKinesis'`, ...
   */
  constructor(
    /** One line per problem, each starting with the field path (`batch.size: ...`). */
    readonly problems: readonly string[],
    subject = 'toKinesis',
  ) {
    super(`invalid ${subject} config: ${problems.join('; ')}`);
  }
}

/**
 * The message of anything thrown.
 *
 * @param error - What was thrown.
 * @returns Its message, or its text when it is not an `Error`.
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An error as it may be passed on to a caller: without the HTTP exchange it came from. The AWS
 * SDK attaches to each error it raises while reading an answer a hidden `$response`: the HTTP
 * response, whose body is Node's `IncomingMessage`, which holds the request (`req`) with every
 * header sent, the `x-amz-security-token` (the session token) and the `authorization` signature
 * among them. `$response` can be neither deleted nor overwritten, so an error that has one is
 * copied without it: same prototype (`instanceof` the SDK's class still holds), same `name`,
 * `message`, `stack`, `$fault`, `$metadata` (HTTP status, request ID, attempts) and every other
 * own property. Anything else is returned as it is.
 *
 * @example
 * ```ts
 * subscriber.error(withoutHttpResponse(error));
 * ```
 * @param error - What was thrown.
 * @returns `error` itself when it has no own `$response`; otherwise a copy without it.
 */
export function withoutHttpResponse<E>(error: E): E {
  if (typeof error !== 'object' || error === null || !Object.hasOwn(error, '$response')) return error;
  // A real Error, for `Error.isError` and `util.types.isNativeError`; its message and stack are replaced below.
  const copy: object = Object.setPrototypeOf(error instanceof Error ? new Error() : {}, Object.getPrototypeOf(error));
  for (const key of Reflect.ownKeys(error)) {
    if (key === '$response') continue;
    const { enumerable } = Object.getOwnPropertyDescriptor(error, key)!;
    Object.defineProperty(copy, key, { value: Reflect.get(error, key), enumerable, writable: true, configurable: true });
  }
  return copy as E;
}
