/**
 * The contenders of the throughput scenarios, in the order of their rows, each with the slug
 * `--contender` and `targets.json` name it by.
 */
import type { Contender } from '../harness/contender.js';
import { awsKinesisWritableContender, kinesisStreamsContender } from './npmPeers.js';
import type { Peers } from './npmPeers.js';
import { naivePutRecordLoop, rawSdkLoop } from './sdkLoops.js';
import { toKinesisContender } from './toKinesis.js';
import { wireFloor } from './wireFloor.js';

/** Which kind of sender a contender is: the scenario treats the naive loop and the peers apart. */
export type Family = 'toKinesis' | 'raw' | 'naive' | 'floor' | 'peer';

/** One contender of a throughput scenario. */
export interface Entry {
  readonly slug: string;
  readonly label: string;
  readonly family: Family;
  readonly concurrency?: number;
  /** Missing when the contender cannot run; `unavailable` says why. */
  readonly run?: Contender;
  readonly unavailable?: string;
}

/** The concurrencies `toKinesis` and the wire floor run at. */
export const CONCURRENCIES = [1, 4, 8] as const;

/**
 * Every contender, with the npm peers as loaded (not run when they could not be loaded, or were
 * not asked for).
 *
 * @param peers - The loaded peers, or why they are not; undefined: not loaded.
 * @returns The contenders, in the order of the table.
 */
export function contenders(peers: Peers | undefined): Entry[] {
  const peer = (slug: string, label: string, make: (loaded: Extract<Peers, { ok: true }>) => Contender): Entry =>
    peers?.ok === true ? { slug, label, family: 'peer', run: make(peers) } : { slug, label, family: 'peer', unavailable: peers?.reason ?? 'not loaded' };
  return [
    ...CONCURRENCIES.map((c): Entry => ({ slug: `tokinesis-c${c}`, label: `toKinesis c${c}`, family: 'toKinesis', concurrency: c, run: toKinesisContender(c) })),
    ...CONCURRENCIES.map(
      (c): Entry => ({ slug: `tokinesis-c${c}-nolimit`, label: `toKinesis c${c}, shardLimit: false`, family: 'toKinesis', concurrency: c, run: toKinesisContender(c, 500, false, false) }),
    ),
    { slug: 'tokinesis-c16', label: 'toKinesis c16', family: 'toKinesis', concurrency: 16, run: toKinesisContender(16) },
    ...([1, 8] as const).map(
      (c): Entry => ({ slug: `tokinesis-c${c}-uuid`, label: `toKinesis c${c}, default keys (UUID)`, family: 'toKinesis', concurrency: c, run: toKinesisContender(c, 500, false, undefined, 'default') }),
    ),
    { slug: 'raw-sdk', label: 'raw SDK v3 loop (seq)', family: 'raw', run: rawSdkLoop },
    { slug: 'naive-putrecord', label: 'naive PutRecord loop', family: 'naive', run: naivePutRecordLoop },
    ...CONCURRENCIES.map((c): Entry => ({ slug: `floor-c${c}`, label: `wire floor c${c}`, family: 'floor', concurrency: c, run: wireFloor(c) })),
    peer('aws-kinesis-writable', 'aws-kinesis-writable 4.3 (unbounded)', awsKinesisWritableContender),
    peer('kinesis-streams', 'kinesis-streams 0.7 (seq)', kinesisStreamsContender),
  ];
}

/** Every slug, in the order of the table. */
export const CONTENDER_SLUGS: readonly string[] = contenders(undefined).map((entry) => entry.slug);

/** The slugs of the npm peers (installed and loaded only when one of them is to run). */
export const PEER_SLUGS: readonly string[] = contenders(undefined)
  .filter((entry) => entry.family === 'peer')
  .map((entry) => entry.slug);
