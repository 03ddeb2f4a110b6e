/**
 * Sending: the one place where a `PutRecords` request goes out, and where its answer, or its
 * failure, becomes one outcome per record.
 *
 * The request goes through the SDK client (endpoint resolution, credentials, signing, and the
 * client's own middleware and retries), but its body is written by {@link writeBody} and its
 * answer read by `JSON.parse`, through two middlewares: one swaps in the body after the SDK's
 * serializer has written an empty request, one reads a successful answer before the SDK's parser
 * sees it (error answers are left to the SDK, which turns them into its typed exceptions). What
 * they need of a request (its body, its abort signal, where its answer goes) travels on the
 * command's input, under a symbol the SDK's serializer does not see.
 *
 * On a client built by this library, the middlewares are added once to the client, which
 * resolves its middleware stack once (`cacheMiddleware`); the command is sent without per-call
 * options, and its abort signal reaches the request handler through `abortRequestWith`. Only a
 * sender's first request goes through the stack there: the shape it leaves the stack in is kept,
 * and the next requests are sent in that shape, signed by the client's own signer
 * (`signedRequest.ts`), outside AWS Lambda. On a caller's client, the middlewares are added to
 * each command (never to the caller's client, where they would run on the caller's own calls),
 * the signal goes with `send`, and every request goes through the stack.
 *
 * @module
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { failAll, readAnswer } from './answer.js';
import type { EntryOutcome } from './answer.js';
import type { AcceptedRecord } from './prepareRecord.js';
import { BodyBuffers, bodyHead, writeBody } from './requestBody.js';
import { PAST_THE_STACK, shapeOf, SignedSender } from './signedRequest.js';
import type { RequestShape } from './signedRequest.js';
import { errorCodeOf, isOutcomeUnknown, isRetryableRequestError } from '../kinesis/errorCodes.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';
import { abortRequestWith, isBuiltHere } from '../shared/client.js';
import { withDeadline } from '../shared/deadline.js';
import { messageOf } from '../shared/errors.js';
import { readBody } from '../shared/responseBody.js';

/** Sends one `PutRecords` request; resolves with one outcome per record, in order; rejects only when aborted. */
export type SendPutRecords = (records: readonly AcceptedRecord<unknown>[], signal: AbortSignal) => Promise<EntryOutcome[]>;

/** The body of a successful answer, once read, stands in for it before the SDK's parser: an empty object. */
const EMPTY_ANSWER = new Uint8Array(Buffer.from('{}'));

/** What the middlewares need of one request. */
interface Exchange {
  readonly body: Buffer;
  readonly signal: AbortSignal;
  /** Takes the shape of the request as it leaves the stack (on a client built here, while no shape is kept). */
  readonly onShape: ((shape: RequestShape) => void) | undefined;
  /** The body of a 200 answer, as text. */
  answer?: string;
}

/** Where a command's input carries its {@link Exchange}. */
const EXCHANGE = Symbol('rxjs-kinesis PutRecords exchange');

type PutRecordsInput = PutRecordsCommandInput & { [EXCHANGE]?: Exchange | undefined };

/** What the two middlewares see of the SDK's handlers: the command's input, the HTTP request, the response. */
type Handler = (args: { readonly input: unknown; readonly request?: unknown }) => Promise<{ readonly response: unknown }>;
type Middleware = (next: Handler, context: Readonly<Record<string, unknown>>) => Handler;

/** The part of a middleware stack (a client's or a command's, of any input and output types) used here. */
interface Stack {
  add(middleware: Middleware, options: { readonly step: 'serialize' | 'deserialize'; readonly priority: 'low'; readonly name: string }): void;
}

const exchangeOf = (args: { input: unknown }): Exchange | undefined => (args.input as PutRecordsInput)[EXCHANGE];

/** Puts the hand-written body in place of the SDK's (for this library's commands only). */
const bodyMiddleware: Middleware = (next) => async (args) => {
  const exchange = exchangeOf(args);
  if (exchange !== undefined) (args.request as { body: unknown }).body = exchange.body;
  return next(args);
};

/**
 * Hands the request's abort signal to the client's handler, and a successful answer's body to
 * {@link readAnswer} instead of the SDK's parser (for this library's commands only).
 */
const answerMiddleware: Middleware = (next, context) => async (args) => {
  const exchange = exchangeOf(args);
  if (exchange === undefined) return next(args);
  abortRequestWith(args.request as object, exchange.signal);
  exchange.onShape?.(shapeOf(args.request as Parameters<typeof shapeOf>[0], context));
  const result = await next(args);
  const response = result.response as { statusCode?: number; body?: unknown };
  const answer = await readBody(response.body, exchange.signal);
  if (response.statusCode === 200) {
    exchange.answer = answer.toString('utf8');
    response.body = EMPTY_ANSWER;
  } else {
    response.body = new Uint8Array(answer.buffer, answer.byteOffset, answer.byteLength);
  }
  return result;
};

/** Adds the two middlewares to a stack (a client's, once; or a command's). */
function addMiddlewares(stack: Stack): void {
  stack.add(bodyMiddleware, { step: 'serialize', priority: 'low', name: 'rxjsKinesisPutRecordsBody' });
  stack.add(answerMiddleware, { step: 'deserialize', priority: 'low', name: 'rxjsKinesisPutRecordsAnswer' });
}

/** The clients built by this library that have the middlewares already. */
const prepared = new WeakSet<KinesisClient>();

/** Sends one body; resolves with the body of the 200 answer, as text. */
type SendBody = (body: Buffer, signal: AbortSignal) => Promise<string>;

/** Sends one command with the body through the SDK's stack; `send` is how the command goes. */
async function throughStack(send: (input: PutRecordsInput) => Promise<unknown>, target: StreamTarget, body: Buffer, signal: AbortSignal, onShape?: (shape: RequestShape) => void): Promise<string> {
  const input: PutRecordsInput = { ...target, Records: [], [EXCHANGE]: { body, signal, onShape } };
  try {
    await send(input);
    return input[EXCHANGE]!.answer ?? '';
  } finally {
    // A client that caches its middleware stack keeps its first command: not its body.
    input[EXCHANGE] = undefined;
  }
}

/**
 * How one request goes out on `client`. On a client built here: the first through its stack
 * (the middlewares added to the client on first use, no per-call options), which leaves the shape
 * of the request; the next ones in that shape, signed by the client's signer ({@link SignedSender}).
 * On a caller's client: always through its stack, with the middlewares on the command and the
 * signal passed to `send`.
 */
function sendingOn(client: KinesisClient, target: StreamTarget): SendBody {
  if (isBuiltHere(client)) {
    if (!prepared.has(client)) {
      addMiddlewares(client.middlewareStack as unknown as Stack);
      prepared.add(client);
    }
    let signed: SignedSender | undefined;
    const keep = PAST_THE_STACK ? (shape: RequestShape): void => void (signed ??= new SignedSender(client, shape)) : undefined;
    return (body, signal) => (signed !== undefined ? signed.send(body, signal) : throughStack((input) => client.send(new PutRecordsCommand(input)), target, body, signal, keep));
  }
  return (body, signal) =>
    throughStack(
      (input) => {
        const command = new PutRecordsCommand(input);
        addMiddlewares(command.middlewareStack as unknown as Stack);
        return client.send(command, { abortSignal: signal });
      },
      target,
      body,
      signal,
    );
}

/**
 * A sender bound to a client and a stream.
 *
 * A whole-request failure (HTTP error, network error, timeout) becomes the same failed outcome
 * for every record, marked retryable or not, and possibly written when the request's fate is
 * unknown; the answer to a request that went through is read by {@link readAnswer}. Only an
 * abort rejects.
 *
 * @param client - The Kinesis client.
 * @param target - The stream's name and/or ARN.
 * @param requestTimeoutMs - The deadline of one request, from sending to the complete answer; 0 for none.
 * @returns A function that sends one request.
 */
export function putRecordsSender(client: KinesisClient, target: StreamTarget, requestTimeoutMs = 0): SendPutRecords {
  const head = bodyHead(target);
  const buffers = new BodyBuffers();
  const send = sendingOn(client, target);
  return async (records, signal) => {
    let answer: string;
    let written: { buffer: Buffer; body: Buffer } | undefined;
    try {
      written = writeBody(head, records, buffers);
      const { body } = written;
      answer = await withDeadline((deadline) => send(body, deadline), signal, requestTimeoutMs);
    } catch (error) {
      // The buffer is not reused: the request may still be writing from it (a server can answer
      // an error before it has read the whole body).
      if (signal.aborted) throw error;
      return failAll(records.length, {
        ok: false,
        errorCode: errorCodeOf(error),
        errorMessage: messageOf(error),
        retryable: isRetryableRequestError(error),
        possiblyWritten: isOutcomeUnknown(error),
      });
    }
    buffers.give(written.buffer);
    return readAnswer(answer, records.length);
  };
}
