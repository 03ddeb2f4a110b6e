/**
 * The contenders of the aggregation scenario: `toKinesis` at concurrency 1 without and with KPL
 * aggregation, and with larger batches when aggregating.
 */
import type { Contender } from '../harness/contender.js';
import { toKinesisContender } from './toKinesis.js';

/** One way of sending. */
export interface AggregationVariant {
  readonly label: string;
  readonly run: Contender;
}

/** The variants, in the order of their rows. */
export const AGGREGATION_VARIANTS: readonly AggregationVariant[] = [
  { label: 'toKinesis c1, plain (batch 500)', run: toKinesisContender(1, 500, false) },
  { label: 'toKinesis c1, aggregation (batch 500)', run: toKinesisContender(1, 500, true) },
  { label: 'toKinesis c1, aggregation (batch 10,000)', run: toKinesisContender(1, 10_000, true) },
];
