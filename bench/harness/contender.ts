/**
 * What the harness asks of a contender that sends to the null endpoint: send the first `n` events
 * of `records` to `endpoint`, resolve when all of them are acknowledged, throw if any was not
 * written.
 */
import type { BenchEvent } from './events.js';

/** What every contender is given besides the records. */
export interface RunOptions {
  readonly streamName: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Records per request for the peers that batch by count only: 500, or fewer when 500 records would pass 5 MiB. */
  readonly peerBatchSize: number;
}

/** Sends the first `n` events of `records` to `endpoint`; resolves when every one is acknowledged. */
export type Contender = (n: number, records: readonly BenchEvent[], endpoint: string, options: RunOptions) => Promise<void>;

/** The stream every contender names (the null endpoint accepts any). */
export const STREAM = 'bench';

/** Stream, region and credentials of every run; the scenario adds `peerBatchSize`. */
export const RUN_OPTIONS = { streamName: STREAM, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
