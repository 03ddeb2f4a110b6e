/** What each line becomes before toKinesis: its item (the key field at its own path), or its refusal. */
import { expect } from 'chai';
import { isLineItem, LINE, lineItems } from '../../lib/cli/lineItems.js';
import type { Line } from '../../lib/cli/lines.js';
import { readFieldPath } from '../../lib/shared/fieldPath.js';

/** A line of text, whole. */
const line = (text: string, number = 1): Line => ({ number, data: Buffer.from(text), size: Buffer.byteLength(text) });

describe('lineItems', () => {
  it('puts the key field\'s value at the same field path on the item, which carries the line', () => {
    for (const [field, text, key] of [
      ['customer_id', '{"customer_id":"c-1","x":[1]}', 'c-1'],
      ['customer.id', '{"customer":{"id":7}}', 7],
      ['customer.id', '{"customer":"flat"}', undefined],
      ['a.b.c', '[1,2]', undefined],
      ['__proto__', '{"__proto__":"own"}', 'own'],
    ] as const) {
      const input = line(text);
      const item = lineItems(field, 1_000)(input);
      expect(isLineItem(item), text).to.equal(true);
      expect(readFieldPath(field)(item), text).to.equal(key);
      expect(isLineItem(item) && item[LINE]).to.equal(input);
    }
  });

  it('without a key field, an item with the line only, not parsed', () => {
    const input = line('not json');
    const item = lineItems(undefined, 1_000)(input);
    expect(isLineItem(item) && Object.keys(item)).to.deep.equal([]);
  });

  it('refuses a line that is not JSON (with a key field), and a line over the record limit with its whole size (not parsed)', () => {
    const notJson = lineItems('id', 1_000)(line('{"id":', 4));
    expect(notJson).to.include({ errorCode: 'InvalidPartitionKey' });
    expect(isLineItem(notJson) ? '' : notJson.errorMessage).to.match(/^the line is not JSON \(.+\), so it has no field 'id'$/);
    const long: Line = { number: 9, data: Buffer.from('{"id":"x"'), size: 2_000_000 };
    for (const field of ['id', undefined]) {
      expect(lineItems(field, 1_000)(long)).to.deep.equal({ line: long, errorCode: 'RecordTooLarge', errorMessage: 'the line is 2,000,000 bytes, over the record limit of 1,000 bytes' });
    }
  });
});
