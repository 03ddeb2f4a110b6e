/** Unit tests of how a PutRecords answer, or its failure, becomes one outcome per entry (scripted client). */
import type { KinesisClient, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { putRecordsSender } from '../lib/putRecords.js';
import { isRetryableRequestError } from '../lib/retry.js';

const entries = [{ Data: new Uint8Array([1]), PartitionKey: 'a' }, { Data: new Uint8Array([2]), PartitionKey: 'b' }];
const signal = new AbortController().signal;

function clientAnswering(answer: () => Promise<Partial<PutRecordsCommandOutput>>): KinesisClient {
  return { send: answer } as unknown as KinesisClient;
}

function serviceError(name: string, fault: 'client' | 'server', status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

describe('putRecordsSender', () => {
  it('maps each response entry to ok or failed, marking retryable codes', async () => {
    const send = putRecordsSender(
      clientAnswering(async () => ({
        FailedRecordCount: 1,
        Records: [{ ShardId: 'shardId-1', SequenceNumber: '7' }, { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }],
      })),
      { StreamName: 's' },
    );
    expect(await send(entries, signal)).to.deep.equal([
      { ok: true, shardId: 'shardId-1', sequenceNumber: '7' },
      { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded', retryable: true },
    ]);
  });

  it('fails every entry with the error of a failed request', async () => {
    const send = putRecordsSender(clientAnswering(async () => Promise.reject(serviceError('ResourceNotFoundException', 'client', 400))), { StreamName: 's' });
    const outcomes = await send(entries, signal);
    expect(outcomes).to.have.length(2);
    for (const outcome of outcomes) expect(outcome).to.deep.equal({ ok: false, errorCode: 'ResourceNotFoundException', errorMessage: 'ResourceNotFoundException happened', retryable: false });
  });

  it("names a cut connection by Node's code, not the SDK's wrapper name", async () => {
    const cut = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const send = putRecordsSender(clientAnswering(async () => Promise.reject(cut)), { StreamName: 's' });
    expect((await send(entries, signal))[0]).to.deep.equal({ ok: false, errorCode: 'ECONNRESET', errorMessage: 'socket hang up', retryable: true });
  });

  it('refuses an answer that does not match the request', async () => {
    const send = putRecordsSender(clientAnswering(async () => ({ Records: [{ ShardId: 'shardId-1', SequenceNumber: '7' }] })), { StreamName: 's' });
    expect((await send(entries, signal))[0]).to.include({ ok: false, errorCode: 'InvalidResponse', retryable: false });
  });

  it('rejects when aborted, instead of reporting', async () => {
    const controller = new AbortController();
    controller.abort();
    const send = putRecordsSender(clientAnswering(async () => Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))), { StreamName: 's' });
    const error = await send(entries, controller.signal).then(() => undefined, (e: unknown) => e);
    expect(error).to.have.property('name', 'AbortError');
  });
});

describe('isRetryableRequestError', () => {
  it('retries throttling, 5xx, timeouts and cut connections', () => {
    for (const error of [
      serviceError('ProvisionedThroughputExceededException', 'client', 400),
      serviceError('InternalFailure', 'server', 500),
      serviceError('SomethingNew', 'server', 503),
      serviceError('Throttled', 'client', 429),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
    ]) {
      expect(isRetryableRequestError(error), error.name).to.equal(true);
    }
  });
  it('does not retry a missing stream, access denied, validation or KMS errors', () => {
    for (const error of [
      serviceError('ResourceNotFoundException', 'client', 400),
      serviceError('AccessDeniedException', 'client', 400),
      serviceError('ValidationException', 'client', 400),
      serviceError('KMSAccessDeniedException', 'client', 400),
      new Error('Region is missing'),
      'a string',
    ]) {
      expect(isRetryableRequestError(error), String(error)).to.equal(false);
    }
  });
});
