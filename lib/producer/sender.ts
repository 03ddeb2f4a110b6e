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
import type { AcceptedRecord } from './prepareRecord.js';
import { BodyBuffers, bodyHead, writeBody } from './requestBody.js';
import type { WireResult } from './requestBody.js';
import { errorCodeOf, isRetryableRequestError, RETRYABLE_RECORD_ERROR_CODES } from '../kinesis/errorCodes.js';
import type { StreamTarget } from '../kinesis/streamTarget.js';
import { messageOf } from '../shared/errors.js';

/** The outcome of one record of one request. */
export type EntryOutcome =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string; readonly retryable: boolean };

/** Sends one `PutRecords` request; resolves with one outcome per record, in order; rejects only when aborted. */
export type SendPutRecords = (records: readonly AcceptedRecord<unknown>[], signal: AbortSignal) => Promise<EntryOutcome[]>;

/** The body of a successful answer, once read, stands in for it before the SDK's parser: an empty object. */
const EMPTY_ANSWER = new Uint8Array(Buffer.from('{}'));

/** The same failure for every record of a request. */
function failAll(count: number, errorCode: string, errorMessage: string, retryable: boolean): EntryOutcome[] {
  const outcome: EntryOutcome = { ok: false, errorCode, errorMessage, retryable };
  return new Array<EntryOutcome>(count).fill(outcome);
}

/** Reads a whole response body. */
async function readBody(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A command whose body is `body`, and whose successful answer is handed to `onAnswer` instead of the SDK's parser. */
function putRecordsCommand(target: StreamTarget, body: Buffer, onAnswer: (answer: WireResult) => void): PutRecordsCommand {
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
      const answer = await readBody(response.body);
      if (response.statusCode === 200) {
        onAnswer(JSON.parse(answer.toString('utf8')) as WireResult);
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
 * for every record, marked retryable or not; per-record errors in the answer are marked
 * retryable by their code.
 *
 * @param client - The Kinesis client.
 * @param target - The stream's name and/or ARN.
 * @returns A function that sends one request.
 */
export function putRecordsSender(client: KinesisClient, target: StreamTarget): SendPutRecords {
  const head = bodyHead(target);
  const buffers = new BodyBuffers();
  return async (records, signal) => {
    const { buffer, body } = writeBody(head, records, buffers);
    let answer: WireResult | undefined;
    try {
      await client.send(putRecordsCommand(target, body, (read) => (answer = read)), { abortSignal: signal });
    } catch (error) {
      // The buffer is not reused: the request may still be writing from it (a server can answer
      // an error before it has read the whole body).
      if (signal.aborted) throw error;
      return failAll(records.length, errorCodeOf(error), messageOf(error), isRetryableRequestError(error));
    }
    buffers.give(buffer);
    const entries = answer?.Records ?? [];
    if (entries.length !== records.length) {
      return failAll(records.length, 'InvalidResponse', `PutRecords answered ${entries.length} entries for ${records.length} records`, false);
    }
    return entries.map((entry): EntryOutcome => {
      // `== null`: absent or null, both mean "no such field" (see WireResultEntry).
      if (entry.ErrorCode == null && entry.ShardId != null && entry.SequenceNumber != null) {
        return { ok: true, shardId: entry.ShardId, sequenceNumber: entry.SequenceNumber };
      }
      const errorCode = entry.ErrorCode ?? 'InvalidResponse';
      return { ok: false, errorCode, errorMessage: entry.ErrorMessage ?? '', retryable: RETRYABLE_RECORD_ERROR_CODES.has(errorCode) };
    });
  };
}
