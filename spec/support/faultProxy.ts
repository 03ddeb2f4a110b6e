/**
 * A fault-injecting HTTP proxy for the specs: it sits between the operator and kinesalite and,
 * for `PutRecords` requests only, decides per request with a seeded PRNG (so a run can be
 * replayed) whether to:
 *
 * - withhold some records: forward only the others, and answer the client with the upstream
 *   answer merged with a `ProvisionedThroughputExceededException` entry for each withheld record;
 * - answer HTTP 500 `InternalFailure` without forwarding;
 * - answer a request-level throttle (HTTP 400 `ProvisionedThroughputExceededException`) without forwarding;
 * - cut the connection before forwarding;
 * - cut the connection after forwarding (kinesalite wrote the records; the client never hears of it);
 * - never answer (hang) without forwarding.
 *
 * - answer 200 with a body that cannot be read, after kinesalite wrote the records (`malformedAnswer`);
 * - send an answer's headers at once and its body one byte at a time (`slowBody`, for any operation).
 *
 * Two modes override the probabilities: `failAllRecords` (every record withheld, nothing
 * forwarded) and `resourceNotFound` (HTTP 400 `ResourceNotFoundException` for every request).
 * Every other operation (CreateStream, GetRecords, ...) is passed through untouched.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const PUT_RECORDS_TARGET = 'Kinesis_20131202.PutRecords';
const AMZ_JSON = 'application/x-amz-json-1.1';

/** What the proxy does to `PutRecords` requests. Probabilities are in [0, 1], drawn per request (per record for `withhold`). */
export interface FaultOptions {
  /** Seed of the PRNG. Default 1. */
  readonly seed?: number;
  /** Chance that a record is withheld (not forwarded, answered with a per-record throttle). */
  readonly withhold?: number;
  /** Chance that a request is answered HTTP 500 `InternalFailure` without forwarding. */
  readonly http500?: number;
  /** Chance that a request is answered HTTP 400 `ProvisionedThroughputExceededException` without forwarding. */
  readonly throttle?: number;
  /** Chance that the connection is cut before forwarding (nothing written). */
  readonly cutBeforeForward?: number;
  /** Chance that the connection is cut after kinesalite answered (records written, client not told). */
  readonly cutAfterForward?: number;
  /** Chance that a request is never answered and never forwarded (the connection stays open). */
  readonly hang?: number;
  /** Every record of every request is withheld (answered with a per-record throttle). */
  readonly failAllRecords?: boolean;
  /** Every request is answered HTTP 400 `ResourceNotFoundException`. */
  readonly resourceNotFound?: boolean;
  /** Added latency per `PutRecords` request, a uniform draw in [min, max] ms. Default none. */
  readonly latencyMs?: readonly [number, number];
  /**
   * Chance that, once kinesalite wrote the records, the client gets a 200 answer it cannot read
   * instead, one of {@link MALFORMED_ANSWERS} in turn.
   */
  readonly malformedAnswer?: number;
  /** Answers to these operations (`'PutRecords'`, `'GetRecords'`, ...) come headers first, then one body byte every `byteEveryMs`. */
  readonly slowBody?: { readonly byteEveryMs: number; readonly operations: readonly string[] };
}

/** The bodies of `malformedAnswer` (for a request of `n` records). */
export const MALFORMED_ANSWERS: readonly ((n: number) => string)[] = [
  (n) => JSON.stringify({ FailedRecordCount: 0, Records: new Array<null>(n).fill(null) }),
  () => JSON.stringify({ FailedRecordCount: 0, Records: 'ab' }),
  (n) => JSON.stringify({ FailedRecordCount: 0, Records: { length: n } }),
  () => '<html><body>502 Bad Gateway</body></html>',
];

/** What the proxy saw and did. */
export interface FaultStats {
  /** `PutRecords` requests received. */
  putRecordsRequests: number;
  /** Records in the `PutRecords` requests received. */
  recordsReceived: number;
  /** Records forwarded to kinesalite. */
  recordsForwarded: number;
  /** Records kinesalite answered as written (with a sequence number). */
  recordsWritten: number;
  /** Records withheld (answered as throttled without forwarding). */
  recordsWithheld: number;
  /** Records written by requests whose connection was cut after forwarding. */
  cutAfterForwardRecords: number;
  /** Requests cut after forwarding. */
  cutAfterForwardRequests: number;
  /** Requests cut before forwarding. */
  cutBeforeForwardRequests: number;
  /** Requests answered HTTP 500. */
  http500Requests: number;
  /** Requests answered with a request-level throttle. */
  throttledRequests: number;
  /** Requests answered `ResourceNotFoundException`. */
  resourceNotFoundRequests: number;
  /** Requests never answered. */
  hungRequests: number;
  /** Other operations passed through. */
  passThroughRequests: number;
  /** `PutRecords` answered with a body that cannot be read (the records were written). */
  malformedAnswers: number;
  /** Answers sent one byte at a time. */
  slowAnswers: number;
  /** TCP connections accepted from clients. */
  connections: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Live counters. */
  readonly stats: FaultStats;
  /** Replaces the faults (the PRNG is reseeded when `seed` is given). */
  setFaults(faults: FaultOptions): void;
  /** Stops listening and closes every connection, to clients and upstream. */
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function emptyStats(): FaultStats {
  return {
    putRecordsRequests: 0,
    recordsReceived: 0,
    recordsForwarded: 0,
    recordsWritten: 0,
    recordsWithheld: 0,
    cutAfterForwardRecords: 0,
    cutAfterForwardRequests: 0,
    cutBeforeForwardRequests: 0,
    http500Requests: 0,
    throttledRequests: 0,
    resourceNotFoundRequests: 0,
    hungRequests: 0,
    passThroughRequests: 0,
    malformedAnswers: 0,
    slowAnswers: 0,
    connections: 0,
  };
}

interface RequestEntry {
  readonly Data: string;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string;
}

/** An answer entry; kinesis-mock writes the fields that do not apply as `null`. */
interface ResultEntry {
  readonly SequenceNumber?: string | null;
  readonly ShardId?: string | null;
  readonly ErrorCode?: string | null;
  readonly ErrorMessage?: string | null;
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Headers to send upstream: the client's, with the body length fixed and hop-by-hop ones dropped. */
function upstreamHeaders(headers: IncomingHttpHeaders, bodyLength: number): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = { ...headers, 'content-length': String(bodyLength) };
  delete copy['connection'];
  delete copy['keep-alive'];
  delete copy['transfer-encoding'];
  return copy;
}

/** Writes an answer: at once, or (`byteEveryMs`) headers first and the body one byte at a time until done or the client goes away. */
function writeAnswer(res: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer, byteEveryMs?: number): void {
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  if (byteEveryMs === undefined) {
    res.end(body);
    return;
  }
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(sent, sent + 1));
    sent += 1;
  }, byteEveryMs);
  res.on('close', () => clearInterval(timer));
}

function jsonAnswer(text: string): { headers: IncomingHttpHeaders; body: Buffer } {
  return { headers: { 'content-type': AMZ_JSON, 'x-amzn-requestid': `fault-proxy-${Math.random().toString(36).slice(2)}` }, body: Buffer.from(text, 'utf8') };
}

/**
 * Starts a fault-injecting proxy in front of `upstream` on an ephemeral port of 127.0.0.1.
 *
 * @param upstream - The Kinesis endpoint to forward to (`http://host:port`).
 * @param faults - The faults to inject.
 * @returns The running proxy.
 */
export async function startFaultProxy(upstream: string, faults: FaultOptions): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const stats = emptyStats();
  const sockets = new Set<Socket>();
  let current: FaultOptions = faults;
  let random = mulberry32(faults.seed ?? 1);

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const outgoing = http.request(
        { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: upstreamHeaders(req.headers, body.length), agent },
        (response) => {
          readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  /** The trickle rate for an answer to `operation`, when `slowBody` names it. */
  const slowFor = (operation: string): number | undefined => {
    const slow = current.slowBody;
    if (slow === undefined || !slow.operations.includes(operation)) return undefined;
    stats.slowAnswers += 1;
    return slow.byteEveryMs;
  };
  const operationOf = (req: IncomingMessage): string => String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';

  const relay = (req: IncomingMessage, res: ServerResponse, answer: Upstream): void => {
    const headers: IncomingHttpHeaders = { ...answer.headers };
    delete headers['connection'];
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    writeAnswer(res, answer.status, headers, answer.body, slowFor(operationOf(req)));
  };

  const answerJson = (res: ServerResponse, status: number, body: unknown, text = JSON.stringify(body)): void => {
    const answer = jsonAnswer(text);
    writeAnswer(res, status, answer.headers, answer.body, slowFor('PutRecords'));
  };

  const cut = (req: IncomingMessage): void => {
    req.socket.destroy();
  };

  const handlePutRecords = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const request = JSON.parse(body.toString('utf8')) as { StreamName?: string; StreamARN?: string; Records: RequestEntry[] };
    const records = request.Records;
    const streamName = request.StreamName ?? request.StreamARN ?? 'unknown';
    stats.putRecordsRequests += 1;
    stats.recordsReceived += records.length;

    // Every draw happens up front, in a fixed order, so a request's fate depends only on the seed
    // and the request's position in the sequence.
    const f = current;
    const latency = f.latencyMs === undefined ? 0 : f.latencyMs[0] + random() * (f.latencyMs[1] - f.latencyMs[0]);
    const cutBefore = random() < (f.cutBeforeForward ?? 0);
    const fail500 = random() < (f.http500 ?? 0);
    const throttle = random() < (f.throttle ?? 0);
    const hang = random() < (f.hang ?? 0);
    const cutAfter = random() < (f.cutAfterForward ?? 0);
    const malformed = f.malformedAnswer !== undefined && random() < f.malformedAnswer;
    const withheld = records.map(() => f.failAllRecords === true || random() < (f.withhold ?? 0));

    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (f.resourceNotFound === true) {
      stats.resourceNotFoundRequests += 1;
      return answerJson(res, 400, { __type: 'ResourceNotFoundException', message: `Stream ${streamName} under account 000000000000 not found.` });
    }
    if (cutBefore) {
      stats.cutBeforeForwardRequests += 1;
      return cut(req);
    }
    if (fail500) {
      stats.http500Requests += 1;
      return answerJson(res, 500, { __type: 'InternalFailure', message: 'Injected internal failure (fault proxy)' });
    }
    if (throttle) {
      stats.throttledRequests += 1;
      return answerJson(res, 400, { __type: 'ProvisionedThroughputExceededException', message: `Rate exceeded for stream ${streamName} under account 000000000000.` });
    }
    if (hang) {
      stats.hungRequests += 1;
      return;
    }

    const forwarded = records.filter((_, index) => !withheld[index]);
    stats.recordsWithheld += records.length - forwarded.length;
    let upstreamEntries: ResultEntry[] = [];
    let upstreamFailed = 0;
    if (forwarded.length > 0) {
      const rewritten = Buffer.from(JSON.stringify({ ...request, Records: forwarded }), 'utf8');
      stats.recordsForwarded += forwarded.length;
      const answer = await forward(req, rewritten);
      if (answer.status !== 200) {
        // A real service error (a missing stream, a validation error): passed on as is.
        if (cutAfter) return cut(req);
        return relay(req, res, answer);
      }
      const parsed = JSON.parse(answer.body.toString('utf8')) as { FailedRecordCount?: number; Records: ResultEntry[] };
      upstreamEntries = parsed.Records;
      upstreamFailed = parsed.FailedRecordCount ?? 0;
      const written = upstreamEntries.filter((entry) => typeof entry.SequenceNumber === 'string').length;
      stats.recordsWritten += written;
      if (cutAfter) {
        stats.cutAfterForwardRequests += 1;
        stats.cutAfterForwardRecords += written;
        return cut(req);
      }
      if (malformed) {
        const shape = MALFORMED_ANSWERS[stats.malformedAnswers % MALFORMED_ANSWERS.length]!;
        stats.malformedAnswers += 1;
        return answerJson(res, 200, undefined, shape(records.length));
      }
    }

    let next = 0;
    const merged: ResultEntry[] = records.map((_, index) =>
      withheld[index]
        ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${streamName} under account 000000000000.` }
        : upstreamEntries[next++]!,
    );
    answerJson(res, 200, { FailedRecordCount: upstreamFailed + (records.length - forwarded.length), Records: merged });
  };

  const server = http.createServer((req, res) => {
    res.on('error', () => undefined);
    readBody(req)
      .then(async (body) => {
        if (req.headers['x-amz-target'] === PUT_RECORDS_TARGET) return handlePutRecords(req, res, body);
        stats.passThroughRequests += 1;
        return relay(req, res, await forward(req, body));
      })
      .catch(() => {
        // The client went away, or upstream failed: drop the connection, as a broken network would.
        req.socket.destroy();
      });
  });
  server.on('connection', (socket: Socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setFaults(next: FaultOptions): void {
      current = next;
      if (next.seed !== undefined) random = mulberry32(next.seed);
    },
    close(): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      });
    },
  };
}
