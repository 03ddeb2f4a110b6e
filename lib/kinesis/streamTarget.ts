/**
 * Which stream a request names: its name, its ARN, or both; and what a stream ARN says.
 *
 * @module
 */

/** Which stream a request writes to or reads from: its name, its ARN, or both. */
export interface StreamTarget {
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

/** A Kinesis stream ARN: `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. */
export const STREAM_ARN_PATTERN = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([\w.-]{1,128})$/;

/** What a stream ARN names. */
export interface StreamArnParts {
  readonly region: string;
  readonly account: string;
  readonly streamName: string;
}

/**
 * The parts of a stream ARN.
 *
 * @param streamARN - Any string.
 * @returns Its region, account and stream name; `undefined` when it is not a stream ARN.
 */
export function parseStreamArn(streamARN: string): StreamArnParts | undefined {
  const match = STREAM_ARN_PATTERN.exec(streamARN);
  return match === null ? undefined : { region: match[1]!, account: match[2]!, streamName: match[3]! };
}
