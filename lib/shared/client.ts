/**
 * The Kinesis client: the caller's own, or one built here with an HTTP/1.1 keep-alive handler
 * sized for the concurrency, and the SDK's own retries turned off (this library's retry policy is
 * the one bound on attempts).
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

/** Where the client comes from. */
export interface ClientOptions {
  readonly client?: KinesisClient | undefined;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: KinesisCredentials | undefined;
  /** A request with no complete answer within this time fails with `TimeoutError` (and is retried). */
  readonly requestTimeoutMs: number;
  /** Sockets kept per host: the number of requests in flight at once. */
  readonly maxSockets: number;
}

/** A client for one subscription; `release()` closes it if it was built here, and leaves a caller's client open. */
export interface ClientLease {
  readonly client: KinesisClient;
  /**
   * The deadline of every call made with the client, from sending to the complete answer
   * (`requestTimeout`); 0 for a caller's client, whose own settings apply.
   */
  readonly requestTimeoutMs: number;
  release(): void;
}

/**
 * Takes the caller's client, or builds one.
 *
 * @param options - The caller's client, or region, endpoint, credentials; and the socket count.
 * @returns The client and how to release it.
 */
export function leaseClient(options: ClientOptions): ClientLease {
  if (options.client !== undefined) return { client: options.client, requestTimeoutMs: 0, release: () => undefined };
  const { region, endpoint, credentials, maxSockets, requestTimeoutMs } = options;
  const agentOptions = { keepAlive: true, maxSockets };
  const client = new KinesisClient({
    region: region ?? (endpoint !== undefined ? (process.env['AWS_REGION'] ?? LOCAL_ENDPOINT_REGION) : undefined),
    endpoint,
    credentials: credentials ?? fromNodeProviderChain(),
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: requestTimeoutMs,
      socketTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  return { client, requestTimeoutMs, release: () => client.destroy() };
}
