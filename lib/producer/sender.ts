/**
 * Sending: the one place where a `PutRecords` request goes out, and where its answer, or its
 * failure, becomes one outcome per record.
 *
 * The request goes through the SDK client (endpoint resolution, credentials, signing, and the
 * client's own middleware and retries), but its body is written by {@link writeBody} and its
 * answer read by `JSON.parse`, through two middlewares on the command: one swaps in the body
 * after the SDK's serializer has written an empty request, one reads a successful answer before
 * the SDK's parser sees it (error answers are left to the SDK, which turns them into its typed
 * exceptions).
 *
 * @module
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { failAll, readAnswer } from './answer.js';
import type { EntryOutcome } from './answer.js';
import type { AcceptedRecord } from './prepareRecord.js';
import { BodyBuffers, bodyHead, writeBody } from './requestBody.js';
import { errorCodeOf, isOutcomeUnknown, isRetryableRequestError } from '../kinesis/errorCodes.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';
import { withDeadline } from '../shared/deadline.js';
import { messageOf } from '../shared/errors.js';

/** Sends one `PutRecords` request; resolves with one outcome per record, in order; rejects only when aborted. */
export type SendPutRecords = (records: readonly AcceptedRecord<unknown>[], signal: AbortSignal) => Promise<EntryOutcome[]>;

/** The body of a successful answer, once read, stands in for it before the SDK's parser: an empty object. */
const EMPTY_ANSWER = new Uint8Array(Buffer.from('{}'));

/** Reads a whole response body; stops (destroying the stream) when `signal` aborts. */
async function readBody(body: unknown, signal: AbortSignal): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const stream = body as AsyncIterable<Buffer> & { destroy?: (error?: Error) => void };
  const stop = (): void => stream.destroy?.(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** A command whose body is `body`, and whose successful answer's body is handed to `onAnswer` instead of the SDK's parser. */
function putRecordsCommand(target: StreamTarget, body: Buffer, signal: AbortSignal, onAnswer: (answer: string) => void): PutRecordsCommand {
  const command = new PutRecordsCommand({ ...target, Records: [] });
  command.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { body: unknown }).body = body;
      return next(args);
    },
    { step: 'serialize', priority: 'low', name: 'rxjsKinesisPutRecordsBody' },
  );
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      const answer = await readBody(response.body, signal);
      if (response.statusCode === 200) {
        onAnswer(answer.toString('utf8'));
        response.body = EMPTY_ANSWER;
      } else {
        response.body = new Uint8Array(answer.buffer, answer.byteOffset, answer.byteLength);
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'rxjsKinesisPutRecordsAnswer' },
  );
  return command;
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
  return async (records, signal) => {
    let answer: string | undefined;
    let written: { buffer: Buffer; body: Buffer } | undefined;
    try {
      written = writeBody(head, records, buffers);
      const { body } = written;
      await withDeadline((deadline) => client.send(putRecordsCommand(target, body, deadline, (read) => (answer = read)), { abortSignal: deadline }), signal, requestTimeoutMs);
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
    return readAnswer(answer ?? '', records.length);
  };
}
