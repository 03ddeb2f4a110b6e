/**
 * Property: the hand-written `PutRecords` body means exactly what the AWS SDK's own serializer
 * writes for the same records (both parsed as JSON and compared), for random records: keys with
 * quotes, backslashes, control characters, lone and paired surrogates and any other unicode,
 * explicit hash keys over the whole range, binary data of every length (on both sides of the
 * size where the base64 encoder changes). The SDK's body is taken from its request handler,
 * which stops the request there: no network.
 */
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import fc from 'fast-check';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import type { StreamTarget } from '../../lib/kinesis/streamTarget.js';
import { explicitHashKeyOf, partitionKeyOf } from '../../lib/producer/partitionKey.js';
import { prepareRecord } from '../../lib/producer/prepareRecord.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';
import { BodyBuffers, bodyHead, writeBody } from '../../lib/producer/requestBody.js';

interface Item {
  readonly key: string;
  readonly hash: string | undefined;
  readonly data: Uint8Array;
}

/** Thrown by the capturing handler once it has the body: the request goes no further. */
class Captured extends Error {
  constructor(readonly body: string) {
    super('captured');
  }
}

/** A client whose request handler keeps the body the SDK serialized, and stops there. */
const sdk = new KinesisClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
  requestHandler: {
    handle: async (request: { body: string | Uint8Array }) => {
      throw new Captured(typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8'));
    },
  } as never,
});

/** The body the SDK writes for these records. */
async function sdkBody(target: StreamTarget, items: readonly Item[]): Promise<string> {
  const Records = items.map((item) => ({ Data: item.data, PartitionKey: item.key, ...(item.hash === undefined ? {} : { ExplicitHashKey: item.hash }) }));
  const error = await sdk.send(new PutRecordsCommand({ ...target, Records })).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Captured)) throw error;
  return error.body;
}

const records = {
  partitionKeyOf: partitionKeyOf<Item>((item) => item.key),
  explicitHashKeyOf: explicitHashKeyOf<Item>((item) => item.hash),
  serialize: (item: Item) => item.data,
  maxRecordBytes: 1024 * 1024,
};

/** One UTF-16 code unit of any value (a lone surrogate included), or a character JSON escapes. */
const keyUnit = fc.oneof(
  fc.constantFrom('"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u0001', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00'),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

/** A key of 1 to 256 UTF-16 code units. */
const key = fc.array(keyUnit, { minLength: 1, maxLength: 256 }).map((units) => units.join('').slice(0, 256));

const item: fc.Arbitrary<Item> = fc.record({
  key,
  hash: fc.option(
    fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map(String),
    { nil: undefined },
  ),
  data: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 1000, maxLength: 3000 })),
});

const target: fc.Arbitrary<StreamTarget> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }).map((StreamName) => ({ StreamName })),
  fc.constant({ StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/events' }),
);

describe('writeBody against the SDK serializer (property)', () => {
  it('writes a body that parses to what the SDK writes, for random records', async () => {
    const buffers = new BodyBuffers();
    await fc.assert(
      fc.asyncProperty(target, fc.array(item, { minLength: 1, maxLength: 20 }), async (stream, items) => {
        const prepared = items.map((one) => prepareRecord(one, records));
        for (const record of prepared) expect(record.accepted).to.equal(true);
        const accepted = prepared as AcceptedRecord<Item>[];
        for (const record of accepted) expect(record.wireBytes).to.equal(entryBytes(record.dataBytes, record.partitionKey, record.explicitHashKey));
        const { buffer, body } = writeBody(bodyHead(stream), accepted, buffers);
        const ours = body.toString('utf8');
        expect(JSON.parse(ours)).to.deep.equal(JSON.parse(await sdkBody(stream, items)));
        // Sized exactly as predicted: the head, the entries, their commas and the closing `]}`.
        expect(body.byteLength).to.equal(Buffer.byteLength(bodyHead(stream)) + accepted.reduce((sum, record) => sum + record.wireBytes, 0) - 1 + 2);
        buffers.give(buffer);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true },
    );
  });
});
