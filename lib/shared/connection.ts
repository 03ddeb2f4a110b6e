/**
 * The connection part of every configuration of this package (the fields of `connectionProps`),
 * resolved: which stream, the client to reach it (the caller's, or one built here and closed on
 * release), and the logger (the caller's, never throwing; or warnings and errors to `console`).
 *
 * @module
 */
import type * as t from 'io-ts';
import { leaseClient } from './client.js';
import type { ClientLease } from './client.js';
import { DEFAULT_REQUEST_TIMEOUT } from './codecs.js';
import type { connectionProps, Logger } from './codecs.js';
import { durationToMs } from './duration.js';
import { parseStreamArn } from '../kinesis/streamTarget.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';

/** The connection fields of a validated configuration. */
export type ConnectionConfig = { readonly [K in keyof typeof connectionProps]?: t.TypeOf<(typeof connectionProps)[K]> | undefined };

/** A configuration's connection, resolved. */
export interface Connection {
  /** The stream's name (taken from the ARN when only `streamARN` is given). */
  readonly streamName: string;
  /** What requests name the stream by: its name, its ARN, or both when both are given. */
  readonly target: StreamTarget;
  /** The configured logger, complete and never throwing; by default warnings and errors to `console`. */
  readonly logger: Logger;
  /** Takes the caller's client, or builds one (released: closed) for one subscription. */
  readonly leaseClient: () => ClientLease;
}

const noop = (): void => undefined;

/** The default logger: warnings and errors to the console, nothing else. */
const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message) => console.warn(`rxjs-kinesis: ${message}`),
  error: (message) => console.error(`rxjs-kinesis: ${message}`),
};

/**
 * The given logger, each method a no-op when left out, and never throwing into the caller.
 *
 * @param given - The configured logger (any subset of the methods).
 * @returns A complete logger whose methods never throw.
 */
export function safeLogger(given: Partial<Logger>): Logger {
  const safe = (method: ((message: string) => void) | undefined) => (message: string) => {
    try {
      method?.(message);
    } catch {
      // A logger that throws must not break what it reports on.
    }
  };
  return { debug: safe(given.debug), info: safe(given.info), warn: safe(given.warn), error: safe(given.error) };
}

/**
 * Resolves the connection fields of a validated configuration (`streamName` or `streamARN` given).
 *
 * @param config - The validated configuration.
 * @param maxSockets - Sockets of a client built here: the requests it has in flight at once.
 * @returns The stream, the logger, and how to get the client.
 */
export function resolveConnection(config: ConnectionConfig, maxSockets: number): Connection {
  const { streamARN } = config;
  const arn = streamARN === undefined ? undefined : parseStreamArn(streamARN);
  const streamName = config.streamName ?? arn!.streamName;
  return {
    streamName,
    target:
      streamARN === undefined ? { StreamName: streamName } : config.streamName === undefined ? { StreamARN: streamARN } : { StreamName: streamName, StreamARN: streamARN },
    logger: safeLogger(config.logger ?? consoleLogger),
    leaseClient: () =>
      leaseClient({
        client: config.client,
        region: config.region ?? arn?.region,
        endpoint: config.endpoint,
        credentials: config.credentials,
        maxSockets,
        requestTimeoutMs: durationToMs(config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT)!,
      }),
  };
}
