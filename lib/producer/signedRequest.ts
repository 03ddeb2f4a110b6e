/**
 * `PutRecords` requests sent past the SDK's middleware stack, on a client built by this library:
 * the first request of a sender goes through the whole stack (endpoint resolution, user agent,
 * signing), and the shape it leaves the stack in (where it goes, its fixed headers, the signing
 * region and service) is kept; the next requests take that shape with their own body, are signed
 * by the client's own SigV4 signer (`config.signer()`: the client's credentials, region and hash,
 * with its clock-skew correction), and go out through the client's own request handler.
 *
 * What this skips per request is the stack itself: about a dozen middlewares, each copying the
 * client's configuration, the schema serializer and parser of an empty input and output, the
 * endpoint rules: about 14% of the CPU per small record (see the performance guide). Error
 * answers become the SDK's exceptions (`serviceError`). A caller's own client always goes through
 * its stack, and so does every request in AWS Lambda (the stack adds each invocation's tracing
 * headers).
 *
 * @module
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { readBody } from '../shared/responseBody.js';
import { serviceError } from '../kinesis/serviceError.js';

/** What the SDK's stack made of a request, kept to send the next ones the same way. */
export interface RequestShape {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[] | null>>;
  /** The headers that are the same on every request (the others are set per request). */
  readonly headers: Readonly<Record<string, string>>;
  /** The region and service the endpoint said to sign for, when it said. */
  readonly signingRegion: string | undefined;
  readonly signingService: string | undefined;
}

/** Headers of a request that are its own: its signature, time, token, length, the SDK's attempt counters, and tracing. */
const PER_REQUEST_HEADERS = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'content-length',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amzn-trace-id',
  'traceparent',
  'tracestate',
  'baggage',
]);

/**
 * Whether requests may go past the stack here: not in AWS Lambda, where the SDK's stack adds the
 * invocation's tracing headers to every request.
 */
export const PAST_THE_STACK = process.env['AWS_LAMBDA_FUNCTION_NAME'] === undefined;

/** An HTTP request as the SDK's stack hands it to the request handler (after signing). */
interface StackRequest {
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number | undefined;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null> | undefined;
  readonly headers: Record<string, string>;
}

/**
 * The shape of a request that left the SDK's stack.
 *
 * @param request - The signed request, as a `deserialize`-step middleware sees it.
 * @param context - The handler context (`signing_region`, `signing_service` set by the endpoint's auth scheme).
 * @returns Its shape.
 */
export function shapeOf(request: StackRequest, context: Readonly<Record<string, unknown>>): RequestShape {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (!PER_REQUEST_HEADERS.has(name.toLowerCase())) headers[name] = value;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    protocol: request.protocol,
    hostname: request.hostname,
    port: request.port,
    path: request.path,
    query: { ...request.query },
    headers,
    signingRegion: text(context['signing_region']),
    signingService: text(context['signing_service']),
  };
}

/** The parts of a resolved client configuration used here. */
interface ClientConfig {
  signer(): Promise<{ sign(request: unknown, options: { signingDate: Date; signingRegion?: string | undefined; signingService?: string | undefined }): Promise<unknown> }>;
  requestHandler: { handle(request: unknown, options: { abortSignal: AbortSignal }): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: unknown } }> };
  systemClockOffset?: number;
  disableClockSkewCorrection?: () => Promise<boolean>;
}

/** A clock this far from the server's is corrected (as the SDK does it). */
const SAMPLE_WITHIN_MS = 900_000;

/**
 * The client's clock offset after an answer with a `date` header, as the SDK's signer computes
 * it: the server's time minus ours when the answer came, unless a cache answered (an `age`
 * header) or the exchange took so long that the sample means nothing.
 */
function updatedOffset(current: number, headers: Record<string, string>, sentAt: number): number {
  const date = headers['date'] ?? headers['Date'];
  if (date === undefined || headers['age'] !== undefined) return current;
  const serverTime = Date.parse(date);
  const now = Date.now();
  if (Number.isNaN(serverTime) || now - sentAt > SAMPLE_WITHIN_MS) return current;
  return serverTime - now;
}

/**
 * Sends `PutRecords` bodies in the shape of the first request, signed by the client's signer.
 *
 * @example
 * ```ts
 * const direct = new SignedSender(client, shapeOf(request, context));
 * const answer = await direct.send(body, signal); // the 200 answer's body
 * ```
 */
export class SignedSender {
  readonly #config: ClientConfig;
  #setup: Promise<{ signer: Awaited<ReturnType<ClientConfig['signer']>>; correctClock: boolean }> | undefined;

  /**
   * @param client - A client built by this library.
   * @param shape - The shape of a request that went through its stack.
   */
  constructor(
    client: KinesisClient,
    private readonly shape: RequestShape,
  ) {
    this.#config = client.config as unknown as ClientConfig;
  }

  /**
   * Sends one body.
   *
   * @param body - The `PutRecords` body.
   * @param signal - Aborts the request.
   * @returns The body of the 200 answer, as text.
   * @throws The SDK's exception for an error answer (`serviceError`), or what the request handler rejects with (a network error, an abort).
   */
  async send(body: Buffer, signal: AbortSignal): Promise<string> {
    const config = this.#config;
    this.#setup ??= (async () => ({ signer: await config.signer(), correctClock: (await config.disableClockSkewCorrection?.()) !== true }))();
    const { signer, correctClock } = await this.#setup;
    const { protocol, hostname, port, path, query, headers, signingRegion, signingService } = this.shape;
    const request = { method: 'POST', protocol, hostname, port, path, query: { ...query }, headers: { ...headers, 'content-length': String(body.byteLength) }, body };
    const offset = correctClock ? (config.systemClockOffset ?? 0) : 0;
    const signed = await signer.sign(request, { signingDate: new Date(Date.now() + offset), signingRegion, signingService });
    const sentAt = Date.now();
    const { response } = await config.requestHandler.handle(signed, { abortSignal: signal });
    const answer = (await readBody(response.body, signal)).toString('utf8');
    if (correctClock) config.systemClockOffset = updatedOffset(config.systemClockOffset ?? 0, response.headers, sentAt);
    if (response.statusCode === 200) return answer;
    throw serviceError({ statusCode: response.statusCode, headers: response.headers, body: answer });
  }
}
