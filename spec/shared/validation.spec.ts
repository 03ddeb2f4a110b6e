/**
 * The validator reads the data blocks of a configuration from its codec: every block of every
 * configuration (toKinesis, fromKinesis, the aws_kinesis output), at any depth and behind a flag,
 * refuses a field it does not know; every field it does not look into refuses a data object at
 * the field itself, so no block can hide there; objects with behaviour keep their other members.
 */
import { expect } from 'chai';
import * as t from 'io-ts';
import { configProblems } from '../support/configProblems.js';
import { AwsKinesisOutput, loadAwsKinesisOutput } from '../../lib/pipeline/awsKinesisOutput.js';
import { ToKinesisConfig, validateToKinesisConfig } from '../../lib/producer/config.js';
import { FromKinesisConfig, validateFromKinesisConfig } from '../../lib/reader/config.js';
import { behaviour, callback, flagOrBlock } from '../../lib/shared/codecs.js';
import { blockFields, checkConfig } from '../../lib/shared/validation.js';

/** A configuration, its validator, the least it takes, and blocks its codec is known to have today. */
interface Subject {
  readonly name: string;
  readonly codec: t.Mixed;
  readonly validate: (input: unknown) => unknown;
  readonly base: Readonly<Record<string, unknown>>;
  readonly someBlocks: readonly string[];
}

const SUBJECTS: readonly Subject[] = [
  {
    name: 'toKinesis',
    codec: ToKinesisConfig,
    validate: validateToKinesisConfig,
    base: { streamName: 's' },
    someBlocks: ['', 'credentials', 'batch', 'retry', 'backlog', 'aggregation'],
  },
  { name: 'fromKinesis', codec: FromKinesisConfig, validate: validateFromKinesisConfig, base: { streamName: 's' }, someBlocks: ['', 'credentials', 'retry'] },
  {
    name: 'aws_kinesis output',
    codec: AwsKinesisOutput,
    validate: (input) => loadAwsKinesisOutput(input),
    base: { stream_name: 's' },
    someBlocks: ['', 'credentials', 'batch'],
  },
];

/** A codec in a configuration's codec tree, with its path (`[]` for the whole configuration). */
interface Node {
  readonly path: readonly string[];
  readonly codec: t.Mixed;
}

/** Every codec of the tree under `codec`, through the blocks the validator sees. */
function nodesOf(codec: t.Mixed, path: readonly string[] = []): Node[] {
  const fields = blockFields(codec) ?? {};
  return [{ path, codec }, ...Object.entries(fields).flatMap(([key, field]) => nodesOf(field, [...path, key]))];
}

const BOGUS = 'bogusField';

/** `base` with `{ bogusField: 1 }` at `path` (the blocks on the way hold nothing else). */
function withBogusField(base: Readonly<Record<string, unknown>>, path: readonly string[]): Record<string, unknown> {
  const block = path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { [BOGUS]: 1 });
  return { ...base, ...block };
}

describe('checkConfig: data blocks read from the codecs', () => {
  for (const subject of SUBJECTS) {
    describe(`the ${subject.name} codec`, () => {
      const nodes = nodesOf(subject.codec);
      const blocks = nodes.filter((node) => blockFields(node.codec) !== undefined);

      it('has its blocks found, those behind a flag included', () => {
        expect(blocks.map((node) => node.path.join('.'))).to.include.members(subject.someBlocks);
      });

      for (const { path, codec } of blocks) {
        const where = path.length === 0 ? 'the config itself' : path.join('.');
        it(`refuses an unknown field in ${where}, naming the known ones`, () => {
          const known = Object.keys(blockFields(codec)!).join(', ');
          expect(configProblems(subject.validate, withBogusField(subject.base, path))).to.include(
            `${[...path, BOGUS].join('.')}: unknown field (known: ${known})`,
          );
        });
      }

      it('has no field it does not look into that takes a data object (a block would hide there), but for a record (any keys by design)', () => {
        const hiding = nodes
          .filter((node) => node.path.length > 0 && blockFields(node.codec) === undefined && !(node.codec instanceof t.DictionaryType))
          .filter(({ codec }) => {
            const decoded = codec.decode({ [BOGUS]: 1 });
            // Refused at the field itself: not accepted, and not checked field by field as a block.
            return decoded._tag === 'Right' || decoded.left.some((error) => error.context.length > 1);
          })
          .map((node) => node.path.join('.'));
        expect(hiding).to.deep.equal([]);
      });
    });
  }

  describe('a codec of every kind', () => {
    const Deep = t.partial({ depth: t.number });
    const Codec = t.partial({
      outer: t.partial({
        middle: flagOrBlock('false or { needed, deep? }', t.literal(false), t.intersection([t.type({ needed: t.string }), t.partial({ deep: Deep })])),
      }),
      hooks: behaviour('an object with start or stop', { start: callback<() => void>(), stop: callback<() => void>() }),
      anything: t.UnknownRecord,
    });
    const check = (input: unknown) => checkConfig(input, { subject: 'test', codec: Codec, crossFieldProblems: () => [] });

    it('refuses unknown fields at any depth, through flags and intersections, and leaves other codecs alone', () => {
      const input = {
        outer: { middle: { needed: 'x', deep: { depth: 1, dept: 2 }, extra: true } },
        hooks: { start: () => undefined, other: 1 },
        anything: { at: 'all' },
      };
      expect(configProblems(check, input)).to.deep.equal([
        'outer.middle.deep.dept: unknown field (known: depth)',
        'outer.middle.extra: unknown field (known: needed, deep)',
      ]);
      expect(() => check({ outer: { middle: false }, hooks: { stop: () => undefined } })).not.to.throw();
    });

    it('refuses an object with behaviour that has none of its methods, or a method that is not one', () => {
      expect(configProblems(check, { hooks: { begin: () => undefined } })).to.deep.equal(['hooks: has none of start, stop (an object with start or stop)']);
      expect(configProblems(check, { hooks: { start: 'now' } })).to.deep.equal(["hooks.start: 'now' is not a function"]);
    });
  });
});
