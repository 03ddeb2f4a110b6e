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

/** A request the local endpoint received. */
interface Received {
  readonly target: string;
  readonly authorization: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly method: string;
  readonly path: string;
  readonly raw: Buffer;
  readonly body: unknown;
}

/** What the local endpoint answers instead of success: a status, headers and a body. */
interface Scripted {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/**
 * A local HTTP endpoint answering PutRecords (every record written) and ListShards; `hold` keeps
 * the next PutRecords unanswered; `script` answers the next PutRecords requests as given, one each.
 */
async function localEndpoint(): Promise<{ url: string; requests: Received[]; hold: () => Promise<void>; script: (...answers: Scripted[]) => void; date: (header: string | undefined) => void; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const scripted: Scripted[] = [];
  let dateHeader: string | undefined;
  let holding: ((closed: void) => void) | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8')) as { Records?: unknown[] };
      const target = String(request.headers['x-amz-target']);
      requests.push({ target, authorization: String(request.headers['authorization']), headers: request.headers, method: String(request.method), path: String(request.url), raw, body });
      if (holding !== undefined) {
        const closed = holding;
        holding = undefined;
        request.socket.on('close', () => closed());
        return;
      }
      const dated = dateHeader === undefined ? {} : { date: dateHeader };
      const next = target.endsWith('.PutRecords') ? scripted.shift() : undefined;
      if (next !== undefined) {
        response.writeHead(next.status, { 'content-type': 'application/x-amz-json-1.1', ...dated, ...next.headers }).end(next.body);
        return;
      }
      const answer = target.endsWith('.ListShards')
        ? { Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' }, SequenceNumberRange: { StartingSequenceNumber: '1' } }] }
        : { FailedRecordCount: 0, Records: (body.Records ?? []).map((_, index) => ({ ShardId: 'shardId-000000000000', SequenceNumber: String(index) })) };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', ...dated }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hold: () => new Promise<void>((resolve) => (holding = resolve)),
    script: (...answers) => void scripted.push(...answers),
    date: (header) => void (dateHeader = header),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Whether a received request's SigV4 signature is the one its credentials give: the request as it
 * arrived (the headers it names as signed, its date, its body) signed again by the SDK's signer.
 */
async function signatureHolds(received: Received, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<boolean> {
  const signed = /SignedHeaders=([^,]+), Signature=([0-9a-f]+)/.exec(received.authorization);
  if (signed === null) return false;
  const headers: Record<string, string> = {};
  for (const name of signed[1]!.split(';')) headers[name] = String(received.headers[name]);
  const signer = (await new KinesisClient({ region: 'us-east-1', credentials }).config.signer()) as { sign(request: unknown, options: { signingDate: Date }): Promise<unknown> };
  const amzDate = headers['x-amz-date']!;
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const again = (await signer.sign(
    { method: received.method, protocol: 'http:', hostname: headers['host']!.split(':')[0]!, path: received.path, query: {}, headers, body: received.raw } as never,
    { signingDate },
  )) as { headers: Record<string, string> };
  return again.headers['authorization'] === received.authorization;
}

/** Counts the middleware stack resolutions of `PutRecordsCommand` (one per command through a stack not cached) until `restore()`. */
function countResolutions(): { readonly count: number; restore(): void } {
  const { resolveMiddleware } = PutRecordsCommand.prototype;
  const counter = {
    count: 0,
    restore: () => void (PutRecordsCommand.prototype.resolveMiddleware = resolveMiddleware),
  };
  PutRecordsCommand.prototype.resolveMiddleware = function (...args) {
    counter.count++;
    return resolveMiddleware.apply(this, args);
  };
  return counter;
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
    const resolutions = countResolutions();
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
      expect(resolutions.count, 'one resolution for six requests').to.equal(1);
    } finally {
      resolutions.restore();
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

  it('on a client built here: after the first request through the stack, the next go in its shape, signed by the client\'s signer', async () => {
    const lease = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials, requestTimeoutMs: 5_000 })();
    const resolutions = countResolutions();
    try {
      const send = putRecordsSender(lease.client, { StreamName: 'events' });
      for (let round = 0; round < 3; round++) expect(await send(records, signal)).to.have.length(2);
      expect(resolutions.count, 'one command through the stack').to.equal(1);
    } finally {
      resolutions.restore();
      lease.release();
    }
    const [first, ...next] = endpoint.requests;
    for (const request of [first!, ...next]) {
      expect(await signatureHolds(request, credentials), `signature of ${request.headers['x-amz-date']}`).to.equal(true);
      expect(request.body).to.deep.equal(first!.body);
      expect(request.path).to.equal('/');
    }
    const perRequest = ['authorization', 'x-amz-date', 'content-length', 'amz-sdk-invocation-id', 'amz-sdk-request'];
    const fixed = (request: Received) => Object.fromEntries(Object.entries(request.headers).filter(([name]) => !perRequest.includes(name)));
    for (const request of next) expect(fixed(request)).to.deep.equal(fixed(first!));
    expect(first!.headers['x-amz-user-agent']).to.match(/aws-sdk-js/);
  });

  it("on a client built here: an error answer past the stack is the same SDK exception, and the same outcome, as through a caller's client", async () => {
    const errors: Scripted[] = [
      { status: 400, body: JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Stream events under account 111122223333 not found.' }) },
      { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException', message: 'Rate exceeded for stream events.' }) },
      { status: 400, headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' }, body: JSON.stringify({ message: 'User is not authorized' }) },
      { status: 400, body: JSON.stringify({ __type: 'KMSThrottlingException', message: 'KMS throttled' }) },
      { status: 500, body: JSON.stringify({ __type: 'InternalFailure' }) },
      { status: 503, body: '<html>Service Unavailable</html>' },
    ];
    const lease = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials, requestTimeoutMs: 5_000 })();
    const ownSend = putRecordsSender(lease.client, { StreamName: 'events' });
    await ownSend(records, signal); // through the stack; past it from here on
    const past: unknown[] = [];
    for (const answer of errors) {
      endpoint.script(answer);
      past.push(await ownSend(records, signal));
    }
    lease.release();
    const theirs = new KinesisClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    const through: unknown[] = [];
    try {
      const theirSend = putRecordsSender(theirs, { StreamName: 'events' });
      for (const answer of errors) {
        endpoint.script(answer);
        through.push(await theirSend(records, signal));
      }
    } finally {
      theirs.destroy();
    }
    // The SDK's parser adds a hint to the message of an answer it cannot read; the rest is the same.
    const comparable = (outcomes: unknown) => (outcomes as { errorMessage?: string }[]).map((outcome) => ({ ...outcome, errorMessage: outcome.errorMessage?.split('\n')[0] }));
    expect(past.map(comparable).slice(0, 5)).to.deep.equal(through.map(comparable).slice(0, 5));
    expect(past.map((outcomes) => (outcomes as { errorCode: string; retryable: boolean; possiblyWritten: boolean }[]).map(({ errorCode, retryable, possiblyWritten }) => [errorCode, retryable, possiblyWritten])[0])).to.deep.equal([
      ['ResourceNotFoundException', false, false],
      ['ProvisionedThroughputExceededException', true, false],
      ['AccessDeniedException', false, false],
      ['KMSThrottlingException', true, false],
      ['InternalFailure', true, true],
      ['UnknownError', true, true],
    ]);
    // A body that is not JSON: the SDK's parser says SyntaxError; both are retried, possibly written.
    expect((past[5] as { errorMessage: string }[])[0]!.errorMessage).to.equal('HTTP 503 answer whose body is not JSON (32 bytes)');
    expect((through[5] as { errorCode: string; retryable: boolean; possiblyWritten: boolean }[])[0]).to.include({ errorCode: 'SyntaxError', retryable: true, possiblyWritten: true });
  });

  it("on a client built here: past the stack, each request is signed with the credentials provider's current credentials", async () => {
    let issued = 0;
    // Credentials that expire at once: the SDK's provider asks again for every request.
    const provider = async () => ({ accessKeyId: `AKID${++issued}`, secretAccessKey: 'secret', expiration: new Date(Date.now() + 1_000) });
    const lease = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials: provider, requestTimeoutMs: 5_000 })();
    const send = putRecordsSender(lease.client, { StreamName: 'events' });
    for (let round = 0; round < 3; round++) await send(records, signal);
    lease.release();
    const keyIds = endpoint.requests.map((request) => /Credential=(AKID\d+)\//.exec(request.authorization)?.[1]);
    expect(new Set(keyIds).size, `key ids ${keyIds.join(', ')}`).to.equal(3);
    for (const request of endpoint.requests.slice(1)) {
      const accessKeyId = /Credential=(AKID\d+)\//.exec(request.authorization)![1]!;
      expect(await signatureHolds(request, { accessKeyId, secretAccessKey: 'secret' })).to.equal(true);
    }
  });

  it("on a client built here: past the stack, the clock follows the server's Date as the SDK's signer does", async () => {
    const lease = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials, requestTimeoutMs: 5_000 })();
    const send = putRecordsSender(lease.client, { StreamName: 'events' });
    await send(records, signal); // through the stack
    const ahead = new Date(Date.now() + 3_600_000);
    endpoint.date(ahead.toUTCString());
    await send(records, signal); // past it: its answer says the server is an hour ahead
    endpoint.date(undefined);
    await send(records, signal);
    lease.release();
    const signedAt = (request: Received) => {
      const date = String(request.headers['x-amz-date']);
      return Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    };
    const [, second, third] = endpoint.requests;
    expect(signedAt(third!) - signedAt(second!)).to.be.within(3_590_000, 3_610_000);
    expect(await signatureHolds(third!, credentials)).to.equal(true);
  });

  it('on a client built here: an abort stops the request in flight at once (the connection is closed)', async () => {
    const lease = clientLeases({ endpoint: endpoint.url, region: 'us-east-1', credentials, requestTimeoutMs: 60_000 })();
    const send = putRecordsSender(lease.client, { StreamName: 'events' }, 60_000);
    await send(records, signal); // the next requests go past the stack
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
