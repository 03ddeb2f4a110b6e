/**
 * Property tests of the KPL encoder and decoder (fast-check): over arbitrary user records (unicode
 * keys, empty data, explicit hash keys, repeated keys), the independent decoder of `aws-kinesis-agg`
 * gives back every record, `decodeAggregate` inverts `encodeAggregate`, and the size predicted
 * while packing is the size encoded.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { deaggregate, protobufjsAggregate } from '../support/awsKinesisAgg.js';
import { AggregateBuilder, decodeAggregate, encodeAggregate, KPL_MAGIC } from '../../lib/kinesis/kpl.js';
import type { UserRecord } from '../../lib/kinesis/kpl.js';
import { MAX_EXPLICIT_HASH_KEY } from '../../lib/kinesis/limits.js';

const partitionKey = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }).filter((key) => Buffer.from(key, 'utf8').toString('utf8') === key), // no lone surrogates
  fc.constantFrom('a', 'b', 'customer-1'), // repeated keys share a table entry
);
const explicitHashKey = fc.option(fc.oneof(fc.bigInt({ min: 0n, max: MAX_EXPLICIT_HASH_KEY }).map(String), fc.constantFrom('0', '1')), { nil: undefined });
const userRecord: fc.Arbitrary<UserRecord> = fc.record({
  partitionKey,
  explicitHashKey,
  data: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 127, maxLength: 20_000, size: 'max' })),
});
const userRecords = fc.array(userRecord, { maxLength: 60 });

/** The record as decoded: no `explicitHashKey` property when it has none. */
const normal = ({ partitionKey, explicitHashKey, data }: UserRecord): UserRecord =>
  explicitHashKey === undefined ? { partitionKey, data: Buffer.from(data) } : { partitionKey, explicitHashKey, data: Buffer.from(data) };

describe('kpl (properties)', () => {
  it('aws-kinesis-agg unpacks every record of encodeAggregate, byte-exact, with its keys, in order', () => {
    fc.assert(
      fc.property(userRecords, (records) => {
        const users = deaggregate(encodeAggregate(records));
        expect(users.length).to.equal(records.length);
        users.forEach((user, i) => {
          const record = records[i]!;
          expect(user.partitionKey).to.equal(record.partitionKey);
          expect(user.subSequenceNumber).to.equal(i);
          expect(Buffer.compare(user.data, record.data)).to.equal(0);
          // aws-kinesis-agg reads an absent index as 0, so only records with a key can be compared
          if (record.explicitHashKey !== undefined) expect(user.explicitPartitionKey).to.equal(record.explicitHashKey);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('decodeAggregate(encodeAggregate(records)) gives the records back', () => {
    fc.assert(
      fc.property(userRecords, (records) => {
        expect(decodeAggregate(encodeAggregate(records))).to.deep.equal(records.map(normal));
      }),
      { numRuns: 300 },
    );
  });

  it('the size predicted record by record is the size encoded, and the bytes are those of encodeAggregate', () => {
    fc.assert(
      fc.property(userRecords, (records) => {
        const builder = new AggregateBuilder();
        for (const record of records) {
          const predicted = builder.sizeWith(record);
          builder.add(record);
          expect(builder.size).to.equal(predicted);
        }
        const encoded = builder.encode();
        expect(encoded.byteLength).to.equal(builder.size);
        expect(Buffer.compare(encoded, encodeAggregate(records))).to.equal(0);
      }),
      { numRuns: 200 },
    );
  });

  it('decodeAggregate reads what protobufjs encodes (tables in any order, tags)', () => {
    fc.assert(
      fc.property(userRecords, fc.boolean(), (records, withTags) => {
        const pks = [...new Set(records.map((r) => r.partitionKey))].reverse();
        const ehks = [...new Set(records.flatMap((r) => (r.explicitHashKey === undefined ? [] : [r.explicitHashKey])))].reverse();
        const aggregate = protobufjsAggregate({
          partition_key_table: pks,
          explicit_hash_key_table: ehks,
          records: records.map((r) => ({
            partition_key_index: pks.indexOf(r.partitionKey),
            ...(r.explicitHashKey === undefined ? {} : { explicit_hash_key_index: ehks.indexOf(r.explicitHashKey) }),
            data: r.data,
            ...(withTags ? { tags: [{ key: 'source', value: r.partitionKey }] } : {}),
          })),
        });
        expect(decodeAggregate(aggregate)).to.deep.equal(records.map(normal));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes after the magic (answers records or undefined)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (proto) => {
        const result = decodeAggregate(wrap(proto));
        expect(result === undefined || Array.isArray(result)).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });
});

/** Magic + arbitrary bytes + their MD5, so that only the protobuf parser can refuse them. */
function wrap(proto: Uint8Array): Uint8Array {
  return Buffer.concat([KPL_MAGIC, proto, createHash('md5').update(proto).digest()]);
}
