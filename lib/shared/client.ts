/**
 * The Kinesis client: the caller's own, or one built here with an HTTP/1.1 keep-alive handler
 * sized for the concurrency, and the SDK's own retries turned off (this library's retry policy is
 * the one bound on attempts).
 *
 * A client built here resolves its middleware stack once per command type (the SDK's
 * `cacheMiddleware`), which only holds for calls made without per-call options; so its request
 * handler takes a call's abort signal from {@link abortRequestWith}, set by a middleware just
 * before the request goes out, instead of from the options of `send`.
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Static AWS credentials, or a provider that resolves them (the SDK's `AwsCredentialIdentityProvider`).
 *
 * @example
 * ```ts
 * import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
 *
 * const credentials: KinesisCredentials = fromTemporaryCredentials({ params: { RoleArn: 'arn:aws:iam::111122223333:role/producer' } });
 * events$.pipe(toKinesis({ streamName: 'events', credentials }));
 * ```
 * @category Configuration
 */
export type KinesisCredentials = NonNullable<KinesisClientConfig['credentials']>;

/** The region used with a custom `endpoint` when neither `region` nor `AWS_REGION` is set (local emulators ignore it). */
export const LOCAL_ENDPOINT_REGION = 'us-east-1';

/** A connection that is not established within this time is abandoned (and retried). */
export const CONNECTION_TIMEOUT_MS = 5_000;

/**
 * How long a client built here stays open after the last subscription that used it has ended: a
 * subscription that starts within this time (the next invocation of a warm AWS Lambda function, the
 * next request of a server) reuses its connections and credentials instead of opening new ones.
 * Its idle sockets and this timer never keep the process alive.
 */
export const CLIENT_IDLE_MS = 60_000;

/** Where the client comes from. */
export interface ClientOptions {
  readonly client?: KinesisClient | undefined;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: KinesisCredentials | undefined;
  /** A request with no complete answer within this time fails with `TimeoutError` (and is retried). */
  readonly requestTimeoutMs: number;
}

/** A client for one subscription; `release()` when the subscription ends. */
export interface ClientLease {
  readonly client: KinesisClient;
  /**
   * The deadline of every call made with the client, from sending to the complete answer
   * (`requestTimeout`); 0 for a caller's client, whose own settings apply.
   */
  readonly requestTimeoutMs: number;
  /** Ends this subscription's use of the client (a second call does nothing). */
  release(): void;
}

/** The abort signal of each request in flight on a client built here, by its HTTP request. */
const requestSignals = new WeakMap<object, AbortSignal>();

/** The clients built here. */
const builtHere = new WeakSet<KinesisClient>();

/**
 * Aborts an HTTP request of a client built here when `signal` aborts: called by a middleware
 * with the request about to go out (the last one, after signing), for a call made without
 * per-call options. Does nothing for another client's request.
 *
 * @param request - The HTTP request (`args.request` in a `deserialize`-step middleware).
 * @param signal - The signal that aborts it.
 */
export function abortRequestWith(request: object, signal: AbortSignal): void {
  requestSignals.set(request, signal);
}

/**
 * Whether a client was built here ({@link clientLeases} without a caller's client): its
 * middleware stack is this library's to add to, and its request handler honours
 * {@link abortRequestWith}.
 *
 * @param client - A client.
 * @returns `true` for a client built here, `false` for a caller's own.
 */
export function isBuiltHere(client: KinesisClient): boolean {
  return builtHere.has(client);
}

/** The Node HTTP handler, whose abort signal may also come from {@link abortRequestWith}. */
class SignalledHttpHandler extends NodeHttpHandler {
  override handle(request: Parameters<NodeHttpHandler['handle']>[0], options: NonNullable<Parameters<NodeHttpHandler['handle']>[1]> = {}): ReturnType<NodeHttpHandler['handle']> {
    const abortSignal = options.abortSignal ?? requestSignals.get(request);
    return super.handle(request, abortSignal === options.abortSignal ? options : { ...options, abortSignal });
  }
}

/**
 * Builds a client: HTTP/1.1 keep-alive (a socket per request in flight, reused), the SDK's retries
 * off, the middleware stack resolved once per command type.
 */
function buildClient(options: ClientOptions): KinesisClient {
  const { region, endpoint, credentials, requestTimeoutMs } = options;
  const agentOptions = { keepAlive: true };
  const client = new KinesisClient({
    region: region ?? (endpoint !== undefined ? (process.env['AWS_REGION'] ?? LOCAL_ENDPOINT_REGION) : undefined),
    endpoint,
    credentials: credentials ?? fromNodeProviderChain(),
    maxAttempts: 1,
    cacheMiddleware: true,
    requestHandler: new SignalledHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: requestTimeoutMs,
      socketTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  builtHere.add(client);
  return client;
}

/**
 * Leases of one client shared by every subscription of one operator: the caller's own (never
 * closed), or one built on first use and closed {@link CLIENT_IDLE_MS} after the last lease was
 * released, unless another subscription takes it meanwhile.
 *
 * @example
 * ```ts
 * const lease = clientLeases(options); // one per operator
 * const { client } = lease(); // per subscription; release() when it ends
 * ```
 * @param options - The caller's client, or region, endpoint, credentials and timeout.
 * @param idleMs - How long an unused client built here stays open.
 * @returns A function that leases the client.
 */
export function clientLeases(options: ClientOptions, idleMs: number = CLIENT_IDLE_MS): () => ClientLease {
  const own = options.client;
  if (own !== undefined) return () => ({ client: own, requestTimeoutMs: 0, release: () => undefined });
  let client: KinesisClient | undefined;
  let leases = 0;
  let idle: NodeJS.Timeout | undefined;
  return () => {
    clearTimeout(idle);
    client ??= buildClient(options);
    const leased = client;
    leases += 1;
    let released = false;
    return {
      client: leased,
      requestTimeoutMs: options.requestTimeoutMs,
      release: () => {
        if (released) return;
        released = true;
        leases -= 1;
        if (leases > 0) return;
        idle = setTimeout(() => {
          if (leases > 0 || client !== leased) return;
          client = undefined;
          leased.destroy();
        }, idleMs);
        idle.unref();
      },
    };
  };
}
