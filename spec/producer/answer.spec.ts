/**
 * Reading a PutRecords answer: every shape a 200 answer can take, from a proxy's HTML page to
 * entries of the wrong kind, gives exactly one outcome per record and never throws.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readAnswer } from '../../lib/producer/answer.js';
import type { EntryOutcome } from '../../lib/producer/answer.js';

const written = { ShardId: 'shardId-000000000001', SequenceNumber: '49590338271490256608559692538361571095921575989136588898' };
const unreadable = { ok: false, errorCode: 'InvalidResponse', retryable: true, possiblyWritten: true };

describe('readAnswer', () => {
  it('reads written and failed entries, the failed ones retryable by code', () => {
    const body = JSON.stringify({
      FailedRecordCount: 2,
      Records: [
        written,
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012.' },
        { ErrorCode: 'InvalidArgumentException', ErrorMessage: 'bad' },
      ],
    });
    expect(readAnswer(body, 3)).to.deep.equal([
      { ok: true, shardId: written.ShardId, sequenceNumber: written.SequenceNumber },
      { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012.', retryable: true, possiblyWritten: false },
      { ok: false, errorCode: 'InvalidArgumentException', errorMessage: 'bad', retryable: false, possiblyWritten: false },
    ]);
  });

  for (const [shape, body] of [
    ['a body that is not JSON', '<html><body>502 Bad Gateway</body></html>'],
    ['an empty body', ''],
    ['JSON null', 'null'],
    ['an array', '[]'],
    ['no Records', '{"FailedRecordCount":0}'],
    ['Records a string', '{"Records":"ab"}'],
    ['Records an object with a length', '{"Records":{"length":2}}'],
    ['Records null', '{"Records":null}'],
    ['fewer entries than records', JSON.stringify({ Records: [written] })],
    ['more entries than records', JSON.stringify({ Records: [written, written, written] })],
  ] as const) {
    it(`fails every record with InvalidResponse for ${shape}`, () => {
      const outcomes = readAnswer(body, 2);
      expect(outcomes).to.have.length(2);
      for (const outcome of outcomes) expect(outcome).to.include(unreadable);
    });
  }

  for (const [shape, entry] of [
    ['null', null],
    ['a number', 7],
    ['an empty object', {}],
    ['a shard without a sequence number', { ShardId: 'shardId-1' }],
    ['a sequence number that is a number', { ShardId: 'shardId-1', SequenceNumber: 7 }],
    ['an error code that is a number', { ErrorCode: 500 }],
    ['an empty error code', { ErrorCode: '' }],
  ] as const) {
    it(`fails only the entry that is ${shape}, and reads the others`, () => {
      const outcomes = readAnswer(JSON.stringify({ Records: [entry, written] }), 2);
      expect(outcomes[0]).to.include(unreadable);
      expect(outcomes[1]).to.deep.equal({ ok: true, shardId: written.ShardId, sequenceNumber: written.SequenceNumber });
    });
  }

  it('never throws, and gives exactly one well-formed outcome per record, for any JSON (fast-check)', () => {
    const entry = fc.oneof(
      fc.jsonValue(),
      fc.record({ ShardId: fc.oneof(fc.string(), fc.constant(null), fc.integer()), SequenceNumber: fc.oneof(fc.string(), fc.constant(null), fc.integer()) }, { requiredKeys: [] }),
      fc.record({ ErrorCode: fc.oneof(fc.string(), fc.constant(null), fc.integer()), ErrorMessage: fc.oneof(fc.string(), fc.constant(null), fc.jsonValue()) }, { requiredKeys: [] }),
    );
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(entry, { maxLength: 6 }).map((Records) => JSON.stringify({ Records })),
      fc.jsonValue().map((Records) => JSON.stringify({ FailedRecordCount: 1, Records })),
    );
    const wellFormed = (outcome: EntryOutcome): boolean =>
      outcome.ok
        ? typeof outcome.shardId === 'string' && typeof outcome.sequenceNumber === 'string'
        : typeof outcome.errorCode === 'string' && outcome.errorCode !== '' && typeof outcome.errorMessage === 'string' && typeof outcome.retryable === 'boolean' && typeof outcome.possiblyWritten === 'boolean';
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 6 }), (text, count) => {
        const outcomes = readAnswer(text, count);
        return outcomes.length === count && outcomes.every((outcome) => outcome !== undefined && wellFormed(outcome));
      }),
      { numRuns: 2_000 },
    );
  });
});
