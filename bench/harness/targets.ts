/**
 * The targets (`bench/targets.json`, described in `bench/README.md`): ratios of two contenders'
 * median records/s that a throughput scenario checks and prints, the bounds the `shards` scenario
 * checks, and the summary repeats.
 */
import { readFileSync } from 'node:fs';
import { fixed } from './format.js';

/** One target as written in `targets.json`. */
interface TargetSpec {
  readonly label: string;
  /** A contender's slug, or `tokinesis-best` (the fastest `toKinesis` concurrency of the scenario). */
  readonly numerator: string;
  readonly denominator: string;
  /** The ratio is met at this value or above. */
  readonly target: number;
  /** Checked only where the endpoint answers after a delay. */
  readonly onlyWithDelay?: boolean;
  /** Checked only where the endpoint answers at once. */
  readonly onlyWithoutDelay?: boolean;
  /** `'cpu'`: the ratio of CPU per record (lower is better, so a bound: at or below `target`); default `'rate'`: of records/s. */
  readonly measure?: 'rate' | 'cpu';
}

/** One checked target, for the scenario's key-ratio line and the summary. */
export interface Target {
  readonly scenario: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly target: number;
  /** Met at `target` or below (a bound on throttles, failures); default: at or above. */
  readonly atMost?: boolean;
}

const isSpec = (value: unknown): value is TargetSpec => {
  const spec = value as Partial<Record<keyof TargetSpec, unknown>> | null;
  return (
    typeof spec === 'object' &&
    spec !== null &&
    typeof spec.label === 'string' &&
    typeof spec.numerator === 'string' &&
    typeof spec.denominator === 'string' &&
    typeof spec.target === 'number' &&
    (spec.onlyWithDelay === undefined || typeof spec.onlyWithDelay === 'boolean') &&
    (spec.onlyWithoutDelay === undefined || typeof spec.onlyWithoutDelay === 'boolean') &&
    (spec.measure === undefined || spec.measure === 'rate' || spec.measure === 'cpu')
  );
};

/** One bound of the `shards` scenario, as written in `targets.json`. */
export interface ShardTargetSpec {
  /** `a` to `d`, or `*` for every situation. */
  readonly situation: string;
  readonly label: string;
  /** What is measured (the scenario knows each name). */
  readonly metric: string;
  readonly target: number;
  readonly atMost?: boolean;
}

const isShardSpec = (value: unknown): value is ShardTargetSpec => {
  const spec = value as Partial<Record<keyof ShardTargetSpec, unknown>> | null;
  return (
    typeof spec === 'object' &&
    spec !== null &&
    typeof spec.situation === 'string' &&
    typeof spec.label === 'string' &&
    typeof spec.metric === 'string' &&
    typeof spec.target === 'number' &&
    (spec.atMost === undefined || typeof spec.atMost === 'boolean')
  );
};

/** A bound of the `ordering` scenario: a {@link ShardTargetSpec} checked on one contender. */
export interface OrderingTargetSpec extends ShardTargetSpec {
  /** The contender's slug. */
  readonly contender: string;
}

const isOrderingSpec = (value: unknown): value is OrderingTargetSpec => isShardSpec(value) && typeof (value as { contender?: unknown }).contender === 'string';

/** `targets.json`, read once when the benchmark starts. */
const TARGETS = JSON.parse(readFileSync(new URL('../targets.json', import.meta.url), 'utf8')) as { throughput?: unknown; shards?: unknown; ordering?: unknown };

/** The targets of the throughput scenarios. */
const THROUGHPUT_TARGETS: readonly TargetSpec[] = (() => {
  const { throughput } = TARGETS;
  if (!Array.isArray(throughput) || !throughput.every(isSpec)) {
    throw new Error('bench/targets.json: "throughput" must be a list of { label, numerator, denominator, target[, onlyWithDelay, onlyWithoutDelay, measure] }');
  }
  return throughput;
})();

/** The bounds of the `ordering` scenario. */
export const ORDERING_TARGETS: readonly OrderingTargetSpec[] = (() => {
  const { ordering } = TARGETS;
  if (!Array.isArray(ordering) || !ordering.every(isOrderingSpec)) throw new Error('bench/targets.json: "ordering" must be a list of { situation, contender, label, metric, target[, atMost] }');
  return ordering;
})();

/** The bounds of the `shards` scenario. */
export const SHARD_TARGETS: readonly ShardTargetSpec[] = (() => {
  const { shards } = TARGETS;
  if (!Array.isArray(shards) || !shards.every(isShardSpec)) throw new Error('bench/targets.json: "shards" must be a list of { situation, label, metric, target[, atMost] }');
  return shards;
})();

/**
 * Checks the throughput targets of one scenario. `{c}` in a label or a slug stands for the
 * concurrency of the best `toKinesis` (`?` when none ran).
 *
 * @param scenario - Its name, and its endpoint's delay.
 * @param value - The median records/s (`'rate'`) or CPU ms per 1,000 records (`'cpu'`) of a slug (or of `tokinesis-best`); undefined when it did not run.
 * @param bestConcurrency - The concurrency of the fastest `toKinesis`, if any ran.
 * @returns The targets, with their measured ratios.
 */
export function checkTargets(
  scenario: { readonly name: string; readonly delayMs: number },
  value: (slug: string, measure: 'rate' | 'cpu') => number | undefined,
  bestConcurrency: number | undefined,
): Target[] {
  const fill = (text: string): string => text.replaceAll('{c}', String(bestConcurrency ?? '?'));
  const applies = (spec: TargetSpec): boolean => (spec.onlyWithDelay !== true || scenario.delayMs > 0) && (spec.onlyWithoutDelay !== true || scenario.delayMs === 0);
  return THROUGHPUT_TARGETS.filter(applies).map((spec) => {
    const measure = spec.measure ?? 'rate';
    const numerator = value(fill(spec.numerator), measure);
    const denominator = value(fill(spec.denominator), measure);
    return {
      scenario: scenario.name,
      label: fill(spec.label),
      value: numerator === undefined || denominator === undefined ? undefined : numerator / denominator,
      target: spec.target,
      ...(measure === 'cpu' ? { atMost: true } : {}),
    };
  });
}

/** `label = 1.23 (target >= 1.2: ok)`, or `BELOW` (`ABOVE` for a bound), or `n/a` when a side did not run. */
export function formatTarget(target: Target): string {
  const sign = target.atMost === true ? '<=' : '>=';
  if (target.value === undefined || !Number.isFinite(target.value)) return `${target.label} = n/a (target ${sign} ${target.target})`;
  const met = target.atMost === true ? target.value <= target.target : target.value >= target.target;
  return `${target.label} = ${fixed(target.value, 3)} (target ${sign} ${target.target}: ${met ? 'ok' : target.atMost === true ? 'ABOVE' : 'BELOW'})`;
}
