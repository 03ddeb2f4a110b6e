import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { deaggregate, protobufjsAggregate } from '../support/awsKinesisAgg.js';
import { AggregateBuilder, decodeAggregate, encodeAggregate, KPL_MAGIC, KPL_OVERHEAD_BYTES } from '../../lib/kinesis/kpl.js';
import type { UserRecord } from '../../lib/kinesis/kpl.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Magic + protobuf + MD5 around hand-written protobuf bytes. */
const wrap = (proto: number[]): Uint8Array => {
  const body = Uint8Array.from(proto);
  return Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
};

describe('kpl', () => {
  it('writes the documented bytes: magic, tables, records, MD5 of the protobuf', () => {
    const aggregate = encodeAggregate([
      { partitionKey: 'a', data: bytes('hi') },
      { partitionKey: 'b', explicitHashKey: '7', data: bytes('') },
    ]);
    // prettier-ignore
    const proto = [
      0x0a, 1, 0x61, 0x0a, 1, 0x62, // partition_key_table: 'a', 'b'
      0x12, 1, 0x37, // explicit_hash_key_table: '7'
      0x1a, 6, 0x08, 0, 0x1a, 2, 0x68, 0x69, // { partition_key_index: 0, data: 'hi' }
      0x1a, 6, 0x08, 1, 0x10, 0, 0x1a, 0, // { partition_key_index: 1, explicit_hash_key_index: 0, data: '' }
    ];
    expect(Buffer.from(aggregate).toString('hex')).to.equal(Buffer.from(wrap(proto)).toString('hex'));
  });

  it('writes each distinct key once and knows the exact size before encoding, across varint boundaries', () => {
    const builder = new AggregateBuilder();
    const added: UserRecord[] = [];
    expect(builder.size).to.equal(KPL_OVERHEAD_BYTES);
    for (const [index, length] of [0, 1, 127, 128, 16_383, 16_384, 200_000].entries()) {
      for (const key of ['k', 'ключ', `k${index}`]) {
        const record: UserRecord = { partitionKey: key, explicitHashKey: index % 2 === 0 ? undefined : String(index), data: new Uint8Array(length).fill(index) };
        const predicted = builder.sizeWith(record);
        expect(builder.add(record)).to.equal(added.length);
        added.push(record);
        expect(builder.size).to.equal(predicted);
        expect(encodeAggregate(added).byteLength).to.equal(predicted);
      }
    }
    const encoded = builder.encode();
    expect(encoded).to.deep.equal(encodeAggregate(added));
    expect(Buffer.from(encoded).indexOf(Buffer.from('ключ'))).to.be.greaterThan(0);
    expect(decodeAggregate(encoded)).to.deep.equal(added.map((r) => (r.explicitHashKey === undefined ? { partitionKey: r.partitionKey, data: r.data } : r)));
  });

  it('takes a record whose data is a range of a larger buffer (dataStart, dataBytes), as if it were that range alone', () => {
    const slab = Buffer.from('..first..' + 'x'.repeat(300) + '..');
    const ranges: [number, number][] = [[2, 5], [0, 0], [9, 300], [1, 2]];
    const inSlab = ranges.map(([dataStart, dataBytes], index): UserRecord => ({ partitionKey: `k${index % 2}`, data: slab, dataStart, dataBytes }));
    const alone = ranges.map(([start, bytes], index): UserRecord => ({ partitionKey: `k${index % 2}`, data: slab.subarray(start, start + bytes) }));
    const builder = new AggregateBuilder();
    for (const record of inSlab) {
      const predicted = builder.sizeWith(record);
      builder.add(record);
      expect(builder.size).to.equal(predicted);
    }
    expect(builder.encode()).to.deep.equal(encodeAggregate(alone));
  });

  it('is read back by aws-kinesis-agg, key for key and byte for byte', () => {
    const records: UserRecord[] = Array.from({ length: 300 }, (_, i) => ({ partitionKey: `key-${i % 7}`, explicitHashKey: i % 5 === 0 ? String(2n ** 127n + BigInt(i)) : undefined, data: bytes(`{"n":${i}}`) }));
    const users = deaggregate(encodeAggregate(records));
    expect(users.length).to.equal(300);
    users.forEach((user, i) => {
      expect(user.partitionKey).to.equal(records[i]!.partitionKey);
      expect(user.subSequenceNumber).to.equal(i);
      expect(Buffer.from(user.data).equals(Buffer.from(records[i]!.data))).to.equal(true);
      if (records[i]!.explicitHashKey !== undefined) expect(user.explicitPartitionKey).to.equal(records[i]!.explicitHashKey);
    });
  });

  it('reads what protobufjs writes, skipping tags and unknown fields', () => {
    const aggregate = protobufjsAggregate({
      partition_key_table: ['p', 'q'],
      explicit_hash_key_table: ['42'],
      records: [
        { partition_key_index: 1, data: bytes('one'), tags: [{ key: 't', value: 'v' }, { key: 'u' }] },
        { partition_key_index: 0, explicit_hash_key_index: 0, data: bytes('two') },
      ],
    });
    expect(decodeAggregate(aggregate)).to.deep.equal([
      { partitionKey: 'q', data: Buffer.from('one') },
      { partitionKey: 'p', explicitHashKey: '42', data: Buffer.from('two') },
    ]);
    // unknown fields of every wire type, at both levels
    // prettier-ignore
    const proto = [
      0x20, 0x96, 0x01, // field 4, varint
      0x29, 1, 2, 3, 4, 5, 6, 7, 8, // field 5, fixed64
      0x0a, 1, 0x61,
      0x1a, 15, 0x08, 0, 0x35, 1, 2, 3, 4, 0x22, 3, 0x0a, 1, 0x74, 0x1a, 1, 0x78, // { pk 0, fixed32 field 6, tag {key 't'}, data 'x' }
      0x3a, 2, 0xff, 0xff, // field 7, length-delimited
    ];
    expect(decodeAggregate(wrap(proto))).to.deep.equal([{ partitionKey: 'a', data: Buffer.from('x') }]);
  });

  it('answers undefined for what is not an aggregate: no magic, too short, MD5 mismatch, malformed protobuf', () => {
    const good = encodeAggregate([{ partitionKey: 'a', data: bytes('hi') }]);
    expect(decodeAggregate(good)).to.have.length(1);
    expect(decodeAggregate(bytes('{"plain":"json"}'))).to.equal(undefined);
    expect(decodeAggregate(new Uint8Array(0))).to.equal(undefined);
    expect(decodeAggregate(KPL_MAGIC)).to.equal(undefined);
    const flipped = Uint8Array.from(good);
    flipped[6] = flipped[6]! ^ 1;
    expect(decodeAggregate(flipped)).to.equal(undefined);
    for (const proto of [
      [0x1a, 4, 0x08, 1, 0x1a, 0], // partition key index out of its (empty) table
      [0x0a, 1, 0x61, 0x1a, 2, 0x1a, 0], // record without partition_key_index
      [0x0a, 1, 0x61, 0x1a, 2, 0x08, 0], // record without data
      [0x0a, 1, 0x61, 0x1a, 6, 0x08, 0, 0x10, 0, 0x1a, 0], // explicit hash key index out of its table
      [0x0a, 5, 0x61], // truncated string
      [0x0a, 2, 0xc3, 0x28], // invalid UTF-8 in a key
      [0x08, 0x80], // truncated varint
      [0x0b], // group wire type
      [0x0d, 1, 2], // truncated fixed32
    ]) {
      expect(decodeAggregate(wrap(proto)), JSON.stringify(proto)).to.equal(undefined);
    }
    expect(decodeAggregate(wrap([]))).to.deep.equal([]);
  });
});
