/**
 * The wire-work floor: what any producer must do per `PutRecords`, and nothing more. For each
 * batch of up to 500 records (and 5 MiB): serialize each event, base64 it into a JSON body written
 * by hand into a buffer (one per request slot, reused), hash the payload (SHA-256), sign with a
 * SigV4-style HMAC chain, one HTTP/1.1 keep-alive request, parse the answer and check every entry
 * succeeded.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from '../../lib/index.js';
import type { Contender, RunOptions } from '../harness/contender.js';
import type { BenchEvent } from '../harness/events.js';

const TARGET = 'Kinesis_20131202.PutRecords';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const SIGNED_HEADERS = 'content-type;host;x-amz-date;x-amz-target';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The first size of a request slot's body buffer; it doubles when a body needs more (up to about 7 MiB for 5 MiB of data). */
const INITIAL_CAPACITY = 256 * 1024;

/** A request slot's body buffer, reused once its request is answered. */
interface Slot {
  buffer: Buffer;
}

/** Where the next body starts: a cursor over the events shared by the requests in flight. */
interface Cursor {
  next: number;
  /** An event serialized for the previous body that did not fit in it. */
  pending: Buffer | undefined;
}

/**
 * Writes the next body, by hand, into the slot's buffer (grown when needed): `{"StreamName":..,"Records":[{"Data":"<base64>","PartitionKey":".."},..]}`,
 * up to 500 records and 5 MiB (data + keys).
 *
 * @returns The body's length and record count, or undefined when every event is sent.
 */
function writeBody(slot: Slot, cursor: Cursor, records: readonly BenchEvent[], n: number, head: string): { length: number; count: number } | undefined {
  if (cursor.next >= n) return undefined;
  let out = slot.buffer;
  let at = out.write(head, 0, 'latin1');
  let count = 0;
  let bytes = 0;
  while (cursor.next < n && count < MAX_RECORDS_PER_REQUEST) {
    const item = records[cursor.next]!;
    const data = cursor.pending ?? Buffer.from(JSON.stringify(item));
    cursor.pending = undefined;
    const size = data.length + Buffer.byteLength(item.user);
    if (count > 0 && bytes + size > MAX_BYTES_PER_REQUEST) {
      cursor.pending = data;
      break;
    }
    const entry = `${count === 0 ? '' : ','}{"Data":"${data.toString('base64')}","PartitionKey":${JSON.stringify(item.user)}}`;
    if (at + 3 * entry.length + 2 > out.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(2 * out.length, at + 3 * entry.length + 2));
      out.copy(larger, 0, 0, at);
      slot.buffer = out = larger;
    }
    at += out.write(entry, at, 'utf8');
    count++;
    bytes += size;
    cursor.next++;
  }
  at += out.write(']}', at, 'latin1');
  return { length: at, count };
}

/** SigV4-style headers: payload hash, canonical request, string to sign, the four-step key derivation and the signature. */
function signedHeaders(body: Buffer, host: string, options: RunOptions): http.OutgoingHttpHeaders {
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const canonicalRequest = `POST\n/\n\ncontent-type:${CONTENT_TYPE}\nhost:${host}\nx-amz-date:${amzDate}\nx-amz-target:${TARGET}\n\n${SIGNED_HEADERS}\n${sha256(body)}`;
  const scope = `${day}/${options.region}/kinesis/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonicalRequest)}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${options.credentials.secretAccessKey}`, day), options.region), 'kinesis'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    'content-type': CONTENT_TYPE,
    'content-length': body.length,
    'x-amz-date': amzDate,
    'x-amz-target': TARGET,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
  };
}

function post(agent: http.Agent, url: URL, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${response.statusCode}`))));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * The floor with `inFlight` requests at once (1: sequential).
 *
 * @param inFlight - Requests in flight at once.
 * @returns The contender.
 */
export function wireFloor(inFlight: number): Contender {
  return async (n, records, endpoint, options) => {
    const url = new URL(endpoint);
    const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
    const cursor: Cursor = { next: 0, pending: undefined };
    const head = `{"StreamName":${JSON.stringify(options.streamName)},"Records":[`;
    const worker = async (): Promise<void> => {
      const slot: Slot = { buffer: Buffer.allocUnsafeSlow(INITIAL_CAPACITY) };
      for (let next = writeBody(slot, cursor, records, n, head); next !== undefined; next = writeBody(slot, cursor, records, n, head)) {
        const body = slot.buffer.subarray(0, next.length);
        const answer = JSON.parse((await post(agent, url, signedHeaders(body, url.host, options), body)).toString('utf8')) as {
          FailedRecordCount: number;
          Records: unknown[];
        };
        if (answer.FailedRecordCount !== 0 || answer.Records.length !== next.count) throw new Error(`PutRecords answered ${answer.Records.length} entries for ${next.count}`);
      }
    };
    try {
      await Promise.all(Array.from({ length: inFlight }, worker));
    } finally {
      agent.destroy();
    }
  };
}
