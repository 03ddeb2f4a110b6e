/**
 * Unit tests of the sender: the request body it writes, and how an answer, or a failure, becomes
 * one outcome per record. A real KinesisClient (signing, middleware, the SDK's error parsing)
 * with a scripted request handler in place of the network.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';
import { putRecordsSender } from '../../lib/producer/sender.js';

const record = (data: string, partitionKey: string, explicitHashKey?: string): AcceptedRecord<string> => ({
  accepted: true,
  item: data,
  partitionKey,
  explicitHashKey,
  data: Buffer.from(data),
  bytes: data.length + partitionKey.length,
  wireBytes: entryBytes(Buffer.byteLength(data), partitionKey, explicitHashKey),
});
const records = [record('one', 'a'), record('twö', 'ключ "q"', '42')];
const signal = new AbortController().signal;

interface Seen {
  target?: string;
  body?: unknown;
}

/** A client whose requests are answered by `answer` (status and JSON body), or rejected with `fail`. */
function clientAnswering(answer: { status: number; body: unknown } | { fail: Error }, seen: Seen = {}): KinesisClient {
  return new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: Uint8Array }, options?: { abortSignal?: AbortSignal }) => {
        if (options?.abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
        seen.target = request.headers['x-amz-target'];
        seen.body = JSON.parse(Buffer.from(request.body).toString('utf8'));
        if ('fail' in answer) throw answer.fail;
        return {
          response: {
            statusCode: answer.status,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: new Uint8Array(Buffer.from(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body))),
          },
        };
      },
    } as never,
  });
}


describe('putRecordsSender', () => {
  it('writes the PutRecords body by hand: base64 data, JSON keys, explicit hash keys, in order', async () => {
    const seen: Seen = {};
    const answer = { status: 200, body: { FailedRecordCount: 0, Records: [{ ShardId: 's1', SequenceNumber: '1' }, { ShardId: 's2', SequenceNumber: '2' }] } };
    await putRecordsSender(clientAnswering(answer, seen), { StreamName: 'events' })(records, signal);
    expect(seen.target).to.equal('Kinesis_20131202.PutRecords');
    expect(seen.body).to.deep.equal({
      StreamName: 'events',
      Records: [
        { Data: Buffer.from('one').toString('base64'), PartitionKey: 'a' },
        { Data: Buffer.from('twö').toString('base64'), PartitionKey: 'ключ "q"', ExplicitHashKey: '42' },
      ],
    });
  });

  it('names the stream by ARN when given one', async () => {
    const seen: Seen = {};
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/events';
    await putRecordsSender(clientAnswering({ status: 200, body: { Records: [{ ShardId: 's', SequenceNumber: '1' }] } }, seen), { StreamARN: arn })([records[0]!], signal);
    expect(seen.body).to.include({ StreamARN: arn });
  });

  it('maps each answer entry to ok or failed, marking retryable codes', async () => {
    const send = putRecordsSender(
      clientAnswering({
        status: 200,
        body: { FailedRecordCount: 1, Records: [{ ShardId: 'shardId-1', SequenceNumber: '7' }, { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }] },
      }),
      { StreamName: 's' },
    );
    expect(await send(records, signal)).to.deep.equal([
      { ok: true, shardId: 'shardId-1', sequenceNumber: '7' },
      { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded', retryable: true, possiblyWritten: false },
    ]);
  });

  it('reads null fields as absent (kinesis-mock writes "ErrorCode":null on every record written)', async () => {
    const body = {
      EncryptionType: 'NONE',
      FailedRecordCount: 1,
      Records: [
        { ErrorCode: null, ErrorMessage: null, SequenceNumber: '7', ShardId: 'shardId-1' },
        { ErrorCode: 'InvalidArgumentException', ErrorMessage: 'too big', SequenceNumber: null, ShardId: null },
      ],
    };
    expect(await putRecordsSender(clientAnswering({ status: 200, body }), { StreamName: 's' })(records, signal)).to.deep.equal([
      { ok: true, shardId: 'shardId-1', sequenceNumber: '7' },
      { ok: false, errorCode: 'InvalidArgumentException', errorMessage: 'too big', retryable: false, possiblyWritten: false },
    ]);
  });

  it("fails every record with the service's error, parsed by the SDK", async () => {
    const send = putRecordsSender(clientAnswering({ status: 400, body: { __type: 'ResourceNotFoundException', message: 'Stream s not found.' } }), { StreamName: 's' });
    const outcomes = await send(records, signal);
    expect(outcomes).to.have.length(2);
    for (const outcome of outcomes) expect(outcome).to.deep.equal({ ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'Stream s not found.', retryable: false, possiblyWritten: false });
    const [throttled] = await putRecordsSender(clientAnswering({ status: 500, body: { __type: 'InternalFailure', message: 'oops' } }), { StreamName: 's' })(records, signal);
    expect(throttled).to.deep.equal({ ok: false, errorCode: 'InternalFailure', errorMessage: 'oops', retryable: true, possiblyWritten: true });
  });

  it("names a cut connection by Node's code, not the SDK's wrapper name", async () => {
    const cut = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const send = putRecordsSender(clientAnswering({ fail: cut }), { StreamName: 's' });
    expect((await send(records, signal))[0]).to.deep.equal({ ok: false, errorCode: 'ECONNRESET', errorMessage: 'socket hang up', retryable: true, possiblyWritten: true });
  });

  it('fails every record with InvalidResponse, retryable and possibly written, when the answer does not match the request', async () => {
    const send = putRecordsSender(clientAnswering({ status: 200, body: { Records: [{ ShardId: 'shardId-1', SequenceNumber: '7' }] } }), { StreamName: 's' });
    expect((await send(records, signal))[0]).to.include({ ok: false, errorCode: 'InvalidResponse', retryable: true, possiblyWritten: true });
  });

  it('reads a 200 answer that is not JSON as InvalidResponse for every record, not as an error', async () => {
    const send = putRecordsSender(clientAnswering({ status: 200, body: '<html>proxy</html>' }), { StreamName: 's' });
    const outcomes = await send(records, signal);
    expect(outcomes).to.have.length(2);
    for (const outcome of outcomes) expect(outcome).to.include({ ok: false, errorCode: 'InvalidResponse', retryable: true, possiblyWritten: true });
  });

  it('a connection refused is not possibly written; a 400 throttle neither', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect((await putRecordsSender(clientAnswering({ fail: refused }), { StreamName: 's' })(records, signal))[0]).to.include({ errorCode: 'ECONNREFUSED', retryable: true, possiblyWritten: false });
    const throttle = putRecordsSender(clientAnswering({ status: 400, body: { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' } }), { StreamName: 's' });
    expect((await throttle(records, signal))[0]).to.include({ errorCode: 'ProvisionedThroughputExceededException', retryable: true, possiblyWritten: false });
  });

  it('rejects when aborted, instead of reporting', async () => {
    const controller = new AbortController();
    controller.abort();
    const send = putRecordsSender(clientAnswering({ status: 200, body: {} }), { StreamName: 's' });
    const error = await send(records, controller.signal).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('name', 'AbortError');
  });
});
