/**
 * Unit tests of the sender: the request body it writes, and how an answer, or a failure, becomes
 * one outcome per record. A real KinesisClient (signing, middleware, the SDK's error parsing)
 * with a scripted request handler in place of the network.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { expect } from 'chai';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';
import { putRecordsSender } from '../../lib/producer/sender.js';
import { clientLeases } from '../../lib/shared/client.js';

const record = (data: string, partitionKey: string, explicitHashKey?: string): AcceptedRecord<string> => ({
  accepted: true,
  item: data,
  partitionKey,
  explicitHashKey,
  data: Buffer.from(data),
  dataStart: 0,
  dataBytes: Buffer.byteLength(data),
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

/** A local HTTP endpoint answering PutRecords (every record written) and ListShards; `hold` keeps the next PutRecords unanswered. */
async function localEndpoint(): Promise<{ url: string; requests: { target: string; authorization: string; body: unknown }[]; hold: () => Promise<void>; close: () => Promise<void> }> {
  const requests: { target: string; authorization: string; body: unknown }[] = [];
  let holding: ((closed: void) => void) | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records?: unknown[] };
      const target = String(request.headers['x-amz-target']);
      requests.push({ target, authorization: String(request.headers['authorization']), body });
      if (holding !== undefined) {
        const closed = holding;
        holding = undefined;
        request.socket.on('close', () => closed());
        return;
      }
      const answer = target.endsWith('.ListShards')
        ? { Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' }, SequenceNumberRange: { StartingSequenceNumber: '1' } }] }
        : { FailedRecordCount: 0, Records: (body.Records ?? []).map((_, index) => ({ ShardId: 'shardId-000000000000', SequenceNumber: String(index) })) };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hold: () => new Promise<void>((resolve) => (holding = resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The names of this library's middlewares in a stack. */
const ours = (stack: { identify(): string[] }): string[] => stack.identify().filter((entry) => entry.startsWith('rxjsKinesis'));

describe('putRecordsSender, the SDK request pipeline', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  let endpoint: Awaited<ReturnType<typeof localEndpoint>>;
  beforeEach(async () => (endpoint = await localEndpoint()));
  afterEach(async () => endpoint.close());

  it('on a client built here: the middlewares added once to the client, its stack resolved once, requests signed', async () => {
    const leases = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials, requestTimeoutMs: 5_000 });
    const [a, b] = [leases(), leases()];
    const { resolveMiddleware } = PutRecordsCommand.prototype;
    let resolutions = 0;
    PutRecordsCommand.prototype.resolveMiddleware = function (...args) {
      resolutions++;
      return resolveMiddleware.apply(this, args);
    };
    try {
      const first = putRecordsSender(a.client, { StreamName: 'events' });
      const second = putRecordsSender(b.client, { StreamName: 'events' }, 5_000);
      for (let round = 0; round < 3; round++) {
        expect(await first(records, signal)).to.deep.equal([
          { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '0' },
          { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1' },
        ]);
        expect(await second([records[0]!], signal)).to.have.length(1);
      }
      expect(resolutions, 'one resolution for six requests').to.equal(1);
    } finally {
      PutRecordsCommand.prototype.resolveMiddleware = resolveMiddleware;
    }
    expect(ours(a.client.middlewareStack)).to.deep.equal(['rxjsKinesisPutRecordsBody - serialize', 'rxjsKinesisPutRecordsAnswer - deserialize']);
    expect(endpoint.requests).to.have.length(6);
    expect(endpoint.requests[0]!.authorization).to.match(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/kinesis\/aws4_request/);
    expect(endpoint.requests[0]!.body).to.deep.equal({
      StreamName: 'events',
      Records: [
        { Data: Buffer.from('one').toString('base64'), PartitionKey: 'a' },
        { Data: Buffer.from('twö').toString('base64'), PartitionKey: 'ключ "q"', ExplicitHashKey: '42' },
      ],
    });
    // Another command on the same client goes through the SDK as usual.
    const listed = await a.client.send(new ListShardsCommand({ StreamName: 'events' }));
    expect(listed.Shards?.[0]?.ShardId).to.equal('shardId-000000000000');
    a.release();
    b.release();
  });

  it('on a client built here: an abort stops the request in flight at once (the connection is closed)', async () => {
    const lease = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials, requestTimeoutMs: 60_000 })();
    const send = putRecordsSender(lease.client, { StreamName: 'events' }, 60_000);
    await send(records, signal); // the stack is cached from here on
    const closed = endpoint.hold();
    const controller = new AbortController();
    const sent = send(records, controller.signal).then(
      () => undefined,
      (error: unknown) => error,
    );
    while (endpoint.requests.length < 2) await sleep(5);
    const startedAt = performance.now();
    controller.abort();
    expect(await sent).to.have.property('name', 'AbortError');
    await closed;
    expect(performance.now() - startedAt).to.be.below(1_000);
    lease.release();
  });

  it("on a caller's client: its own middleware runs, and ours never joins its stack or its other calls", async () => {
    const client = new KinesisClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    const seenByTheirs: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        seenByTheirs.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'theirs' },
    );
    try {
      const send = putRecordsSender(client, { StreamName: 'events' });
      await send(records, signal);
      await send(records, signal);
      expect(seenByTheirs).to.deep.equal(['PutRecordsCommand', 'PutRecordsCommand']);
      expect(ours(client.middlewareStack)).to.deep.equal([]);
      // Their own PutRecords is serialized by the SDK, from their input.
      await client.send(new PutRecordsCommand({ StreamName: 'theirs', Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }] }));
      expect(endpoint.requests[2]!.body).to.deep.equal({ StreamName: 'theirs', Records: [{ Data: 'eA==', PartitionKey: 'k' }] });
    } finally {
      client.destroy();
    }
  });
});
