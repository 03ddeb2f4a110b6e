/**
 * The configuration error, shaped like the AWS SDK's exception classes (a literal `name` and the
 * data needed to act on it), and the message of anything thrown.
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
