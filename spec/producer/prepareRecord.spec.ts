import { expect } from 'chai';
import { explicitHashKeyOf, partitionKeyOf, randomKey } from '../../lib/producer/partitionKey.js';
import { prepareRecord, refuseOverStreamLimit } from '../../lib/producer/prepareRecord.js';
import type { PreparedRecord, RecordOptions } from '../../lib/producer/prepareRecord.js';
import { dataOf as bytesOf, defaultSerialize } from '../../lib/producer/serialize.js';
import { entryBytes } from '../../lib/kinesis/sizes.js';

function options<T>(overrides: Partial<RecordOptions<T>> = {}): RecordOptions<T> {
  return { partitionKeyOf: partitionKeyOf<T>('id'), explicitHashKeyOf: explicitHashKeyOf<T>(undefined), serialize: defaultSerialize, maxRecordBytes: 1024 * 1024, ...overrides };
}

/** `[errorCode, errorMessage]` of a rejected record, or `'accepted'`. */
function verdict(record: PreparedRecord<unknown>): string | [string, string] {
  return record.accepted ? 'accepted' : [record.errorCode, record.errorMessage];
}

describe('record preparation', () => {
  describe('partition keys', () => {
    it('reads a field path, nested, and writes numbers in decimal', () => {
      const record = prepareRecord({ order: { id: 17 } }, options({ partitionKeyOf: partitionKeyOf('order.id') }));
      expect(record).to.include({ accepted: true, partitionKey: '17' });
    });

    it('rejects a missing, empty, non-string or over-long key with a reason', () => {
      const cases: [unknown, string][] = [
        [{}, "field 'id' is missing, expected a string or number"],
        [{ id: null }, "field 'id' is null, expected a string or number"],
        [{ id: { a: 1 } }, "field 'id' is object, expected a string or number"],
        [{ id: '' }, "field 'id' is empty"],
        [{ id: 'k'.repeat(257) }, "field 'id' is 257 characters long, over the limit of 256"],
        ['not an object', "field 'id' is missing, expected a string or number"],
      ];
      for (const [item, message] of cases) expect(verdict(prepareRecord(item, options()))).to.deep.equal(['InvalidPartitionKey', message]);
      expect(prepareRecord({ id: 'k'.repeat(256) }, options())).to.include({ accepted: true });
    });

    it('rejects the record when the key function throws or returns garbage', () => {
      const throwing = partitionKeyOf<unknown>(() => {
        throw new Error('no key today');
      });
      expect(verdict(prepareRecord({}, options({ partitionKeyOf: throwing })))).to.deep.equal(['InvalidPartitionKey', 'partitionKey function threw: no key today']);
      const garbage = partitionKeyOf<unknown>(() => ({}) as unknown as string);
      expect(verdict(prepareRecord({}, options({ partitionKeyOf: garbage })))).to.deep.equal([
        'InvalidPartitionKey',
        'the key returned by partitionKey is object, expected a string or number',
      ]);
    });

    it('defaults to a fresh UUID v4 per record', () => {
      const keyOf = partitionKeyOf<unknown>(undefined);
      const keys = new Set(Array.from({ length: 100 }, () => keyOf({})));
      expect(keys.size).to.equal(100);
    });

    it('sizes a record with a default key as it sizes the same key given by a function (no measuring for a generated key)', () => {
      const generated = prepareRecord({ n: 1 }, options({ partitionKeyOf: partitionKeyOf(undefined) }));
      if (!generated.accepted) throw new Error('refused');
      const given = prepareRecord({ n: 1 }, options({ partitionKeyOf: () => generated.partitionKey }));
      if (!given.accepted) throw new Error('refused');
      expect([generated.bytes, generated.wireBytes]).to.deep.equal([given.bytes, given.wireBytes]);
      expect(generated.bytes).to.equal(generated.dataBytes + Buffer.byteLength(generated.partitionKey));
      expect(generated.wireBytes).to.equal(entryBytes(generated.dataBytes, generated.partitionKey, undefined));
    });

    it('draws default keys that are valid UUID v4s, distinct and uniform, across many blocks of random bytes', () => {
      const count = 20_000; // 78 blocks of 256 keys
      const keys = Array.from({ length: count }, () => randomKey());
      expect(new Set(keys).size).to.equal(count);
      for (const key of keys) expect(key).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Each random hex digit is uniform over its values (chi-square; the bound is p < 1e-6 for 15
      // degrees of freedom, 3 for the variant digit's two random bits).
      const digits = keys.map((key) => key.replaceAll('-', ''));
      for (let position = 0; position < 32; position++) {
        if (position === 12) continue; // the version: always 4
        const values = position === 16 ? ['8', '9', 'a', 'b'] : [...'0123456789abcdef'];
        const counts = new Map(values.map((value) => [value, 0]));
        for (const key of digits) counts.set(key[position]!, counts.get(key[position]!)! + 1);
        const expected = count / values.length;
        const chiSquare = [...counts.values()].reduce((sum, seen) => sum + (seen - expected) ** 2 / expected, 0);
        expect(chiSquare, `hex digit ${position}`).to.be.below(values.length === 16 ? 50 : 31);
      }
    });
  });

  describe('explicit hash keys', () => {
    const hashOf = explicitHashKeyOf<string>((item) => item);
    const max = ((1n << 128n) - 1n).toString();
    it('accepts decimal keys from 0 to 2^128-1, and undefined', () => {
      expect(hashOf('0')).to.equal('0');
      expect(hashOf(max)).to.equal(max);
      expect(hashOf('9'.repeat(38))).to.equal('9'.repeat(38));
      expect(explicitHashKeyOf<string>(() => undefined)('x')).to.equal(undefined);
    });
    it('decides the range of 39-digit keys as BigInt would, without one', () => {
      for (let round = 0; round < 2_000; round++) {
        const digits = `${1 + Math.floor(Math.random() * 9)}${Array.from({ length: 38 }, () => (round % 2 === 0 ? Math.floor(Math.random() * 10) : max[1 + Math.floor(Math.random() * 38)]!)).join('')}`;
        const inRange = BigInt(digits) <= (1n << 128n) - 1n;
        expect(prepareRecord(digits, options({ partitionKeyOf: () => 'k', explicitHashKeyOf: hashOf })).accepted, digits).to.equal(inRange);
      }
    });
    it('rejects anything else with InvalidExplicitHashKey', () => {
      for (const bad of ['-1', '01', '1.5', 'abc', '', (1n << 128n).toString(), '9'.repeat(39), '1'.repeat(40)]) {
        expect(verdict(prepareRecord(bad, options({ partitionKeyOf: () => 'k', explicitHashKeyOf: hashOf })))[0]).to.equal('InvalidExplicitHashKey');
      }
    });
  });

  describe('serialization', () => {
    const dataOf = (item: unknown): string => {
      const record = prepareRecord(item, options({ partitionKeyOf: () => 'k' }));
      if (!record.accepted) throw new Error(record.errorMessage);
      return Buffer.from(bytesOf(record)).toString('utf8');
    };
    it('sends bytes as is, strings as UTF-8 and the rest as JSON', () => {
      const bytes = new Uint8Array([0, 255, 1]);
      const record = prepareRecord(bytes, options({ partitionKeyOf: () => 'k' }));
      expect(record.accepted && record.data).to.equal(bytes);
      expect(dataOf('héllo')).to.equal('héllo');
      expect(dataOf({ a: [1, 'b'] })).to.equal('{"a":[1,"b"]}');
      expect(dataOf(null)).to.equal('null');
    });
    it('keeps each text record in its own bytes of a shared slab, across slabs; long text in a buffer of its own', () => {
      // 3,000 records of ~70 bytes fill several 64 KiB slabs; every record still reads back as its own JSON.
      const items = Array.from({ length: 3000 }, (_, id) => ({ id, text: 'é'.repeat(id % 50), filler: 'x'.repeat(id % 7) }));
      const records = items.map((item) => prepareRecord(item, options({ partitionKeyOf: () => 'k' })));
      const slabs = new Set(records.map((record) => record.accepted && record.data));
      expect(slabs.size).to.be.within(2, 10);
      records.forEach((record, index) => {
        if (!record.accepted) throw new Error(record.errorMessage);
        expect(record.dataBytes).to.equal(Buffer.byteLength(JSON.stringify(items[index])));
        expect(Buffer.from(bytesOf(record)).toString('utf8')).to.equal(JSON.stringify(items[index]));
      });
      const long = 'ü'.repeat(5000);
      const record = prepareRecord(long, options({ partitionKeyOf: () => 'k' }));
      expect(record.accepted && [record.dataStart, record.dataBytes, record.data.byteLength]).to.deep.equal([0, 10_000, 10_000]);
    });
    it('rejects circular structures, BigInt and undefined with SerializationError', () => {
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      for (const item of [circular, { n: 1n }, undefined, () => 1]) {
        const record = prepareRecord(item, options({ partitionKeyOf: () => 'k' }));
        expect(verdict(record)[0]).to.equal('SerializationError');
      }
      const record = prepareRecord(undefined, options({ partitionKeyOf: () => 'k' }));
      expect(verdict(record)[1]).to.equal('cannot serialize the item: JSON.stringify gives no text for undefined');
    });
    it('rejects a serializer that throws or returns neither bytes nor a string', () => {
      const throwing = () => {
        throw new Error('nope');
      };
      expect(verdict(prepareRecord({}, options({ partitionKeyOf: () => 'k', serialize: throwing })))).to.deep.equal(['SerializationError', 'cannot serialize the item: nope']);
      const numeric = (() => 7) as unknown as () => string;
      expect(verdict(prepareRecord({}, options({ partitionKeyOf: () => 'k', serialize: numeric })))).to.deep.equal([
        'SerializationError',
        'serialize returned number, expected a Uint8Array or a string',
      ]);
    });
  });

  describe('size', () => {
    it('counts data plus the UTF-8 bytes of the key against maxRecordBytes', () => {
      const prepare = (data: string, key: string) => prepareRecord(data, options<string>({ partitionKeyOf: () => key, maxRecordBytes: 10 }));
      expect(prepare('12345', 'éé')).to.include({ accepted: true, bytes: 9 });
      expect(prepare('123456', 'éé')).to.include({ accepted: true, bytes: 10 });
      expect(verdict(prepare('1234567', 'éé'))).to.deep.equal(['RecordTooLarge', 'record is 11 bytes (data 7 bytes + partition key 4 bytes), over the limit of 10 bytes']);
    });

    it("refuses, in a batch, the records over the stream's own limit, and counts their bytes", () => {
      const prepare = (data: string) => prepareRecord(data, options<string>({ partitionKeyOf: () => 'k' }));
      const batch = [prepare('1234'), prepare('123456789'), prepareRecord('x', options<string>({ partitionKeyOf: () => '' })), prepare('12')];
      const { batch: checked, refusedBytes } = refuseOverStreamLimit(batch, 5, 'orders');
      expect(checked.map(verdict)).to.deep.equal([
        'accepted',
        ['RecordTooLarge', "record is 10 bytes (data 9 bytes + partition key 1 bytes), over the record limit of stream 'orders' (5 bytes, its MaxRecordSizeInKiB)"],
        verdict(batch[2]!),
        'accepted',
      ]);
      expect(refusedBytes).to.equal(10);
      expect(checked[1]!.item).to.equal('123456789');
      expect(refuseOverStreamLimit(batch, 10, 'orders')).to.deep.equal({ batch, refusedBytes: 0 });
    });
  });
});

describe('record preparation with hostile items', () => {
  it('rejects an item whose key field getter throws, instead of erroring the stream', () => {
    const item = Object.defineProperty({}, 'id', {
      get() {
        throw new Error('getter exploded');
      },
    });
    const record = prepareRecord(item, options());
    expect(record.accepted ? 'accepted' : [record.errorCode, record.errorMessage]).to.deep.equal(['InvalidPartitionKey', "reading field 'id' threw: getter exploded"]);
  });
});
