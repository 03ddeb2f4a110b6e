/**
 * The simulator's refusals: a whole request answered HTTP 400 with the service's JSON error body
 * (`{"__type": code, "message": ...}`), and the service's wording of each message the simulator
 * sends.
 *
 * Wordings taken from the service's answers: the per-record and whole-request throttles, a missing
 * stream or shard, a stream that exists already, a shard already split or merged, the
 * `ValidationException` of the request model's constraints ("1 validation error detected: ..."),
 * the 10 MiB request limit ("Records size exceeds ... limit"), an explicit hash key out of range,
 * an invalid iterator. The wording of a record over the stream's maximum record size and of a KMS
 * throttle is the simulator's own: only their codes are known.
 *
 * @module
 */

/** A request refused as a whole: the status, the error code (`__type`) and the message. */
export class ServiceError extends Error {
  /**
   * @param code - The service's exception name (`ResourceNotFoundException`, ...).
   * @param message - The message, worded as the service words it.
   * @param status - The HTTP status. Default 400.
   */
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }

  /** The JSON body of the answer. */
  body(): string {
    return JSON.stringify({ __type: this.code, message: this.message });
  }
}

/**
 * The message of a record refused for its shard's write limit (per record, in a 200 answer).
 *
 * @param shardId - The shard.
 * @param stream - The stream's name.
 * @param account - The account id.
 * @returns "Rate exceeded for shard shardId-000000000001 in stream S under account 123456789012."
 */
export function rateExceededMessage(shardId: string, stream: string, account: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream} under account ${account}.`;
}

/** A whole `PutRecords` request throttled (HTTP 400 `ProvisionedThroughputExceededException`). */
export const requestThrottled = (stream: string, account: string): ServiceError =>
  new ServiceError('ProvisionedThroughputExceededException', `Rate exceeded for stream ${stream} under account ${account}.`);

/** A whole request refused by KMS throttling (HTTP 400 `KMSThrottlingException`; the wording is the simulator's). */
export const kmsThrottled = (stream: string, account: string): ServiceError =>
  new ServiceError('KMSThrottlingException', `The request was denied due to KMS request throttling for stream ${stream} under account ${account}.`);

/** No such stream. */
export const streamNotFound = (stream: string, account: string): ServiceError =>
  new ServiceError('ResourceNotFoundException', `Stream ${stream} under account ${account} not found.`);

/** A stream of that name exists already. */
export const streamExists = (stream: string, account: string): ServiceError =>
  new ServiceError('ResourceInUseException', `Stream ${stream} under account ${account} already exists.`);

/** No such shard in the stream. */
export const shardNotFound = (shardId: string, stream: string, account: string): ServiceError =>
  new ServiceError('ResourceNotFoundException', `Could not find shard ${shardId} in stream ${stream} under account ${account}.`);

/** A closed shard named in a split or a merge. */
export const shardClosed = (shardId: string, stream: string, account: string): ServiceError =>
  new ServiceError(
    'InvalidArgumentException',
    `Shard ${shardId} in stream ${stream} under account ${account} has already been merged or split, and thus is not eligible for merging or splitting.`,
  );

/** A refusal with `InvalidArgumentException`. */
export const invalidArgument = (message: string): ServiceError => new ServiceError('InvalidArgumentException', message);

/** One broken constraint of the request model: the value as the service shows it (`null` unquoted), its path, the constraint. */
export type ConstraintProblem = readonly [value: string | null, path: string, constraint: string];

/**
 * A refusal for constraints of the request model, worded as the service words them: "1 validation
 * error detected: Value '...' at 'records' failed to satisfy constraint: Member must have length
 * less than or equal to 500".
 *
 * @param problems - The broken constraints (the first 10 are named, as the service does).
 * @returns The `ValidationException`.
 */
export function validationError(problems: readonly ConstraintProblem[]): ServiceError {
  const named = problems
    .slice(0, 10)
    .map(([value, path, constraint]) => `Value ${value === null ? 'null' : `'${value}'`} at '${path}' failed to satisfy constraint: ${constraint}`);
  const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: `;
  return new ServiceError('ValidationException', count + named.join('; '));
}

/** A request whose JSON body cannot be read. */
export const serializationError = (): ServiceError => new ServiceError('SerializationException', 'Start of structure or map found where not expected.');

/** An operation the simulator does not implement. */
export const unknownOperation = (operation: string): ServiceError =>
  new ServiceError('UnknownOperationException', `The shard simulator does not implement ${operation === '' ? 'this operation' : operation}.`);
