/**
 * The throughput scenarios: every contender of `contenders/index.ts` sends the same events to the
 * null endpoint, round-robin; the table gives records/s, CPU, the ratio to the raw SDK loop,
 * requests and the endpoint's load; then the targets of `targets.json`.
 */
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from '../../lib/index.js';
import { CONCURRENCIES, contenders } from '../contenders/index.js';
import type { Entry } from '../contenders/index.js';
import { RUN_OPTIONS } from '../harness/contender.js';
import type { RunOptions } from '../harness/contender.js';
import { makeEvents, meanJsonBytes } from '../harness/events.js';
import { fixed, integer, left, median, medianOf, rateCells, ratioText, right, table } from '../harness/format.js';
import { measure } from '../harness/measure.js';
import { roundRobin } from '../harness/roundRobin.js';
import { checkTargets, formatTarget } from '../harness/targets.js';
import type { Target } from '../harness/targets.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/** A throughput scenario, as declared in `scenarios/index.ts`. */
export interface ThroughputSpec extends Omit<Scenario, 'usesPeers' | 'run'> {
  /** The naive loop sends `records / naiveDivisor` records (it is that much slower). */
  readonly naiveDivisor: number;
}

/** A run that takes longer fails. */
const RUN_TIMEOUT_MS = 300_000;

const COLUMNS = [
  ...left('contender'),
  ...right('records/s (median)', 'min-max', 'CPU ms/1k rec', 'vs raw SDK', 'req/run', 'server CPU'),
  ...left('note'),
];

interface Sample {
  readonly recordsPerSecond: number;
  readonly cpuMsPer1000: number;
  readonly requests: number;
  /** The null endpoint's CPU time over the wall time of the run (1 = one core busy). */
  readonly serverLoad: number;
}

/**
 * A throughput scenario.
 *
 * @param spec - Name, title, records, size, delay, the naive loop's share.
 * @returns The scenario.
 */
export function throughput(spec: ThroughputSpec): Scenario {
  return { ...spec, usesPeers: true, run: (context) => runThroughput(spec, context) };
}

async function runThroughput(spec: ThroughputSpec, { n, reps, only, server, peers }: ScenarioContext): Promise<Target[]> {
  const records = makeEvents(n, spec.recordBytes);
  const meanBytes = meanJsonBytes(records);
  const peerBatchSize = Math.min(MAX_RECORDS_PER_REQUEST, Math.floor(MAX_BYTES_PER_REQUEST / (meanBytes + 9)));
  const options: RunOptions = { ...RUN_OPTIONS, peerBatchSize };
  const naiveN = Math.max(1, Math.round(n / spec.naiveDivisor));
  const entries = contenders(peers).filter((entry) => only === undefined || only.includes(entry.slug));
  const runnable = entries.filter((entry) => entry.run !== undefined);
  console.log(`${integer(n)} records of ${integer(meanBytes)} B (JSON), ${spec.delayMs} ms per answer, ${reps} rep(s) after a warm-up round, round-robin`);

  const { samples, errors } = await roundRobin(runnable, { reps, warmUp: true, progress: spec.name, keepGoing: true }, async (entry): Promise<Sample> => {
    const count = entry.family === 'naive' ? naiveN : n;
    const { recordsPerSecond, cpuMsPer1000, elapsedMs, stats } = await measure(entry.run!, count, records, server, options, RUN_TIMEOUT_MS);
    if (stats.records !== count) throw new Error(`the endpoint received ${stats.records} records, not ${count}`);
    return { recordsPerSecond, cpuMsPer1000, requests: stats.requests, serverLoad: stats.cpuMs / elapsedMs };
  });

  const bySlug = (slug: string): Entry | undefined => entries.find((entry) => entry.slug === slug);
  const rateOf = (entry: Entry | undefined): number | undefined => {
    const list = entry === undefined ? undefined : samples.get(entry);
    return list === undefined || list.length === 0 || errors.has(entry!) ? undefined : medianOf(list, (sample) => sample.recordsPerSecond);
  };
  const raw = rateOf(bySlug('raw-sdk'));
  const note = (entry: Entry): string =>
    entry.family === 'naive' ? `${integer(naiveN)} records (N/${spec.naiveDivisor}), per-record figures` : entry.family === 'peer' ? `${peerBatchSize} records/request` : '';
  const rows = entries.map((entry): string[] => {
    const reason = entry.unavailable ?? errors.get(entry);
    const list = samples.get(entry) ?? [];
    if (reason !== undefined || list.length === 0) return [entry.label, 'n/a', '', '', '', '', '', reason ?? 'no sample'];
    const rates = list.map((sample) => sample.recordsPerSecond);
    return [
      entry.label,
      ...rateCells(rates),
      fixed(medianOf(list, (sample) => sample.cpuMsPer1000), 1),
      raw === undefined ? 'n/a' : ratioText(median(rates) / raw),
      integer(medianOf(list, (sample) => sample.requests)),
      `${integer(100 * medianOf(list, (sample) => sample.serverLoad))}%`,
      note(entry),
    ];
  });
  console.log(table(COLUMNS, rows));

  const toKinesisRates = CONCURRENCIES.map((c) => ({ c, value: rateOf(bySlug(`tokinesis-c${c}`)) })).filter((entry) => entry.value !== undefined);
  const best = toKinesisRates.reduce<{ c: number; value: number } | undefined>(
    (top, entry) => (top === undefined || entry.value! > top.value ? { c: entry.c, value: entry.value! } : top),
    undefined,
  );
  const cpuOf = (entry: Entry | undefined): number | undefined => {
    const list = entry === undefined ? undefined : samples.get(entry);
    return list === undefined || list.length === 0 || errors.has(entry!) ? undefined : medianOf(list, (sample) => sample.cpuMsPer1000);
  };
  const targets = checkTargets(
    spec,
    (slug, measure) => {
      const entry = bySlug(slug === 'tokinesis-best' && best !== undefined ? `tokinesis-c${best.c}` : slug);
      return measure === 'cpu' ? cpuOf(entry) : rateOf(entry);
    },
    best?.c,
  );
  const sameConcurrency = CONCURRENCIES.map((c) => ({ c, tk: rateOf(bySlug(`tokinesis-c${c}`)), floor: rateOf(bySlug(`floor-c${c}`)) }))
    .filter((entry) => entry.tk !== undefined && entry.floor !== undefined)
    .map((entry) => `c${entry.c} ${fixed(entry.tk! / entry.floor!, 2)}`);
  console.log('key ratios:');
  for (const target of targets) console.log(`  ${formatTarget(target)}`);
  if (sameConcurrency.length > 0) console.log(`  (toKinesis / wire floor at the same concurrency: ${sameConcurrency.join(', ')})`);
  return targets;
}
