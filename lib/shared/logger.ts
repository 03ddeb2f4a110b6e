/**
 * Logging: the console-shaped {@link Logger} the configurations take, its codec, and the logger
 * the package writes to (each method optional, never throwing).
 *
 * @module
 */
import { behaviour, callback } from './codecs.js';

/**
 * A console-shaped logger (`console` itself fits). Any method left out of `config.logger` is a no-op.
 *
 * @example
 * ```ts
 * const logger: Partial<Logger> = { warn: (message) => log.warn(message), error: (message) => log.error(message) };
 * events$.pipe(toKinesis({ streamName: 'events', logger }));
 * ```
 * @category Configuration
 */
export interface Logger {
  /** Retries and other detail. */
  debug(message: string): void;
  /** Not used by the operator today; there for console-shaped loggers. */
  info(message: string): void;
  /** Records not written (with counts by error code), settings over a limit. */
  warn(message: string): void;
  /** Not used by the operator today; there for console-shaped loggers. */
  error(message: string): void;
}

/**
 * The codec of `config.logger`: an object with at least one of the four methods, each a function
 * when given. Its other members are not checked (`console` has many more).
 */
export const LoggerCodec = behaviour('a console-shaped logger such as console', {
  /** Retries and other detail. */
  debug: callback<Logger['debug']>(),
  /** Not used today. */
  info: callback<Logger['info']>(),
  /** Records not written (with counts by error code), settings over a limit. */
  warn: callback<Logger['warn']>(),
  /** Not used today. */
  error: callback<Logger['error']>(),
});

const noop = (): void => undefined;

/** The default logger: warnings and errors to the console, nothing else. */
export const consoleLogger: Logger = {
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
