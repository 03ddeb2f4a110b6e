/**
 * The one runner every scenario uses: contenders alternate run by run (one run of each, in an order
 * shuffled every round, then the next round), so that a slow drift of the machine hits all of them
 * alike, and no contender always runs right after the same other one (a run pays for some of the
 * garbage and the warm caches its predecessor leaves: with a mere rotation, the contender after
 * the raw SDK loop measured up to 1 ms more CPU per 1,000 records, whichever it was).
 */
import { mulberry32 } from '../../spec/support/faultProxy.js';
import { elapsed } from './format.js';

/** Anything that takes part in a round-robin. */
export interface Labelled {
  readonly label: string;
}

/** How to run the rounds. */
export interface Rounds {
  /** Measured rounds. */
  readonly reps: number;
  /** Whether a first, unrecorded round warms up the JIT, the sockets and the endpoint. */
  readonly warmUp: boolean;
  /** Tag of the progress line printed on stderr after each round; no line when missing. */
  readonly progress?: string;
  /**
   * What a failing run does: `true`, the contender is reported on stderr and left out of the
   * rounds that follow (its error is in the result); `false`, the error ends the scenario.
   */
  readonly keepGoing: boolean;
}

/** The samples of every contender (of the measured rounds), and why the ones that failed did. */
export interface RoundRobinResult<C, S> {
  readonly samples: ReadonlyMap<C, readonly S[]>;
  readonly errors: ReadonlyMap<C, string>;
}

/**
 * The order of one round: the items shuffled (Fisher-Yates) by a PRNG seeded with the round's
 * number, so that every run of the benchmark uses the same orders; round 0 keeps the given order.
 *
 * @param items - The contenders.
 * @param round - The round's number.
 * @returns A new array.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const order = [...items];
  if (round === 0) return order;
  const random = mulberry32(round * 7919);
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/**
 * Runs every contender once per round, round-robin.
 *
 * @param contenders - Who runs, in the order of the first round.
 * @param rounds - Repetitions, warm-up, progress and failures.
 * @param measure - One run of one contender: its sample.
 * @returns The samples and the errors.
 */
export async function roundRobin<C extends Labelled, S>(
  contenders: readonly C[],
  rounds: Rounds,
  measure: (contender: C) => Promise<S> | S,
): Promise<RoundRobinResult<C, S>> {
  const samples = new Map<C, S[]>(contenders.map((contender) => [contender, []]));
  const errors = new Map<C, string>();
  const first = rounds.warmUp ? 0 : 1;
  for (let round = first; round <= rounds.reps; round++) {
    for (const contender of roundOrder(contenders, round - first)) {
      if (errors.has(contender)) continue;
      try {
        const sample = await measure(contender);
        if (round > 0) samples.get(contender)!.push(sample);
      } catch (error) {
        if (!rounds.keepGoing) throw error;
        errors.set(contender, error instanceof Error ? error.message : String(error));
        console.error(`  ${contender.label} failed: ${errors.get(contender)}`);
      }
    }
    if (rounds.progress !== undefined) console.error(`  [${rounds.progress}] ${round === 0 ? 'warm-up' : `rep ${round}/${rounds.reps}`} done (${elapsed()})`);
  }
  return { samples, errors };
}
