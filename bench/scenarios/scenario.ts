/**
 * What a scenario is: its name and title, how many records of what size, the endpoint's delay,
 * and how it runs and prints its contenders. `run.ts` sets the delay, prints the heading, and
 * calls `run`.
 */
import type { Peers } from '../contenders/npmPeers.js';
import type { NullKinesis } from '../harness/server.js';
import type { Target } from '../harness/targets.js';

/** What `run.ts` gives a scenario. */
export interface ScenarioContext {
  /** Records per run: `records`, or `quickRecords` with `--quick`. */
  readonly n: number;
  /** Measured repetitions (`--reps`). */
  readonly reps: number;
  /** `--contender`: only these slugs; undefined: all. */
  readonly only: readonly string[] | undefined;
  readonly server: NullKinesis;
  /** The npm peers, when a scenario that uses them runs and one of them is asked for. */
  readonly peers: Peers | undefined;
  /** `--baseline`: another checkout of this repository to compare with (the micro scenario). */
  readonly baseline: string | undefined;
}

export interface Scenario {
  /** The `--scenario` name. */
  readonly name: string;
  readonly title: string;
  readonly records: number;
  readonly quickRecords: number;
  /** The size of a serialized event to aim for. */
  readonly recordBytes: number;
  /** The endpoint's delay before each answer. */
  readonly delayMs: number;
  /** Whether it runs the npm peers (they are installed and loaded only then). */
  readonly usesPeers: boolean;
  /** Runs the contenders and prints the table; resolves to the targets it checked. */
  run(context: ScenarioContext): Promise<readonly Target[]>;
}
