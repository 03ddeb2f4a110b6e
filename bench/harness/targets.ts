/**
 * The targets (`bench/targets.json`, described in `bench/README.md`): ratios of two contenders'
 * median records/s that a throughput scenario checks and prints, and the summary repeats.
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
}

/** One checked target, for the scenario's key-ratio line and the summary. */
export interface Target {
  readonly scenario: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly target: number;
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
    (spec.onlyWithDelay === undefined || typeof spec.onlyWithDelay === 'boolean')
  );
};

/** The targets of the throughput scenarios, read once when the benchmark starts. */
const THROUGHPUT_TARGETS: readonly TargetSpec[] = (() => {
  const file = new URL('../targets.json', import.meta.url);
  const { throughput } = JSON.parse(readFileSync(file, 'utf8')) as { throughput?: unknown };
  if (!Array.isArray(throughput) || !throughput.every(isSpec)) {
    throw new Error('bench/targets.json: "throughput" must be a list of { label, numerator, denominator, target[, onlyWithDelay] }');
  }
  return throughput;
})();

/**
 * Checks the throughput targets of one scenario. `{c}` in a label or a slug stands for the
 * concurrency of the best `toKinesis` (`?` when none ran).
 *
 * @param scenario - Its name, and its endpoint's delay.
 * @param rate - The median records/s of a slug (or of `tokinesis-best`); undefined when it did not run.
 * @param bestConcurrency - The concurrency of the fastest `toKinesis`, if any ran.
 * @returns The targets, with their measured ratios.
 */
export function checkTargets(
  scenario: { readonly name: string; readonly delayMs: number },
  rate: (slug: string) => number | undefined,
  bestConcurrency: number | undefined,
): Target[] {
  const fill = (text: string): string => text.replaceAll('{c}', String(bestConcurrency ?? '?'));
  return THROUGHPUT_TARGETS.filter((spec) => spec.onlyWithDelay !== true || scenario.delayMs > 0).map((spec) => {
    const numerator = rate(fill(spec.numerator));
    const denominator = rate(fill(spec.denominator));
    return {
      scenario: scenario.name,
      label: fill(spec.label),
      value: numerator === undefined || denominator === undefined ? undefined : numerator / denominator,
      target: spec.target,
    };
  });
}

/** `label = 1.23 (target >= 1.2: ok)`, or `BELOW`, or `n/a` when a side did not run. */
export function formatTarget(target: Target): string {
  if (target.value === undefined || !Number.isFinite(target.value)) return `${target.label} = n/a (target >= ${target.target})`;
  return `${target.label} = ${fixed(target.value, 2)} (target >= ${target.target}: ${target.value >= target.target ? 'ok' : 'BELOW'})`;
}
