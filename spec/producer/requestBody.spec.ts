import { expect } from 'chai';
import { entryBytes } from '../../lib/kinesis/sizes.js';
import type { AcceptedRecord } from '../../lib/producer/prepareRecord.js';
import { BodyBuffers, bodyHead, writeBody } from '../../lib/producer/requestBody.js';

const record = (data: Buffer, partitionKey: string, explicitHashKey?: string): AcceptedRecord<null> => ({
  accepted: true,
  item: null,
  partitionKey,
  explicitHashKey,
  data,
  dataStart: 0,
  dataBytes: data.length,
  bytes: data.length + Buffer.byteLength(partitionKey),
  wireBytes: entryBytes(data.length, partitionKey, explicitHashKey),
});

describe('wire body', () => {
  const records = [
    record(Buffer.from('plain'), 'k'),
    record(Buffer.alloc(0), 'ключ'),
    record(Buffer.from([0, 1, 2, 255]), 'quote " backslash \\ tab \t control \u0001', '340282366920938463463374607431768211455'),
    record(Buffer.alloc(1001, 7), 'lone \ud800 surrogate'),
  ];

  it('is the JSON the service expects, and entryBytes predicts its size exactly', () => {
    const head = bodyHead({ StreamName: 'events' });
    const { body } = writeBody(head, records, new BodyBuffers());
    const parsed = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[] };
    expect(parsed.StreamName).to.equal('events');
    expect(parsed.Records.map((r) => Buffer.from(r.Data, 'base64').toString('hex'))).to.deep.equal(records.map((r) => Buffer.from(r.data).toString('hex')));
    expect(parsed.Records.map((r) => r.PartitionKey)).to.deep.equal(records.map((r) => JSON.parse(JSON.stringify(r.partitionKey))));
    expect(parsed.Records[2]!.ExplicitHashKey).to.equal('340282366920938463463374607431768211455');
    const predicted = Buffer.byteLength(head) + records.reduce((sum, r) => sum + r.wireBytes, 0) - 1 + ']}'.length;
    expect(body.length).to.equal(predicted);
  });

  it('writes only its own bytes of a record whose data shares a buffer (a slab of several records)', () => {
    const slab = Buffer.from('xxhello wörld!' + 'y'.repeat(1500) + 'zz');
    const inSlab = (start: number, dataBytes: number): AcceptedRecord<null> => ({ ...record(slab, 'k'), dataStart: start, dataBytes, bytes: dataBytes + 1, wireBytes: entryBytes(dataBytes, 'k', undefined) });
    const shared = [inSlab(2, 13), inSlab(3, 1), inSlab(2, 0), inSlab(4, 1503)];
    const { body } = writeBody(bodyHead({ StreamName: 'events' }), shared, new BodyBuffers());
    const parsed = JSON.parse(body.toString('utf8')) as { Records: { Data: string }[] };
    expect(parsed.Records.map((r) => Buffer.from(r.Data, 'base64').toString('utf8'))).to.deep.equal(['hello wörld!', 'e', '', slab.subarray(4, 1507).toString('utf8')]);
    expect(body.length).to.equal(Buffer.byteLength(bodyHead({ StreamName: 'events' })) + shared.reduce((sum, r) => sum + r.wireBytes, 0) - 1 + ']}'.length);
  });

  it('reuses a buffer that was given back, and keeps only a few', () => {
    const buffers = new BodyBuffers();
    const first = buffers.take(100_000);
    buffers.give(first);
    expect(buffers.take(50_000)).to.equal(first);
    for (let i = 0; i < 10; i++) buffers.give(Buffer.alloc(70_000 + i));
    const kept = Array.from({ length: 5 }, () => buffers.take(1));
    expect(kept.slice(0, 4).map((b) => b.length)).to.have.members([70_006, 70_007, 70_008, 70_009]);
    expect(kept[4]!.length).to.equal(64 * 1024); // the fifth is new
  });
});
