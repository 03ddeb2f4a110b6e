/**
 * The memory scenario: a million 200-byte events from a generator-based `Readable` through
 * `toKinesis` at concurrency 4 to an endpoint answering after 20 ms, bounded and unbounded, each
 * run in a fresh child process; the table gives the peak RSS beside the rate.
 */
import { memoryVariants, runMemoryChild } from '../contenders/memory.js';
import type { MemoryResult } from '../contenders/memoryChild.js';
import { STREAM } from '../harness/contender.js';
import { fixed, integer, left, median, medianOf, rateCells, right, table } from '../harness/format.js';
import { roundRobin } from '../harness/roundRobin.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const CONCURRENCY = 4;
const BOUND = { maxRecords: 10_000, highWater: 9_000, lowWater: 5_000 };
/** Each run takes 15-25 s (a million records): the scenario runs at most this many repetitions. */
const MAX_REPS = 3;

const COLUMNS = [
  ...left('variant'),
  ...right('records/s (median)', 'min-max', 'CPU ms/1k rec', 'peak RSS MB', 'RSS at start MB', 'peak waiting', 'B RSS/waiting rec', 'pauses'),
];

export const memory: Scenario = {
  name: 'memory',
  title: '200 B records from a generator-based Readable, endpoint answering after 20 ms',
  records: 1_000_000,
  quickRecords: 50_000,
  recordBytes: 200,
  delayMs: 20,
  usesPeers: false,
  run: runMemory,
};

const rateOf = (result: MemoryResult): number => result.sent / (result.elapsedMs / 1000);
const mb = (kb: number): string => fixed(kb / 1024, 0);

async function runMemory({ n, reps: asked, server }: ScenarioContext): Promise<[]> {
  const reps = Math.min(asked, MAX_REPS);
  console.log(
    `${integer(n)} records, toKinesis concurrency ${CONCURRENCY}, each run in a fresh child process (no warm-up), ` +
      `${reps} rep(s) (--reps, at most ${MAX_REPS}), alternating; bounded: backlog.maxRecords ${integer(BOUND.maxRecords)}, ` +
      `source paused at ${integer(BOUND.highWater)} waiting and resumed at ${integer(BOUND.lowWater)}`,
  );
  const variants = memoryVariants(BOUND);
  const { samples, errors } = await roundRobin(variants, { reps, warmUp: false, progress: memory.name, keepGoing: true }, async (variant) => {
    await server.reset();
    const result = await runMemoryChild({
      endpoint: server.endpoint,
      streamName: STREAM,
      records: n,
      recordBytes: memory.recordBytes,
      concurrency: CONCURRENCY,
      ...(variant.bound === undefined ? {} : { bound: variant.bound }),
    });
    const stats = await server.stats();
    if (result.sent !== n || result.failed !== 0 || stats.records !== n) {
      throw new Error(`${result.sent} sent, ${result.failed} failed, the endpoint received ${stats.records}, of ${n}`);
    }
    return result;
  });

  const rows = variants.map((variant): string[] => {
    const list = samples.get(variant)!;
    if (list.length === 0) return [variant.label, 'n/a', '', '', '', '', '', '', errors.get(variant) ?? 'no sample'];
    const peaks = list.map((result) => result.maxRssKb);
    return [
      variant.label,
      ...rateCells(list.map(rateOf)),
      fixed(medianOf(list, (result) => result.cpuMs / (result.sent / 1000)), 1),
      `${mb(median(peaks))} (${mb(Math.min(...peaks))}-${mb(Math.max(...peaks))})`,
      mb(medianOf(list, (result) => result.baselineRssKb)),
      integer(medianOf(list, (result) => result.peakWaiting)),
      integer(medianOf(list, (result) => ((result.maxRssKb - result.baselineRssKb) * 1024) / Math.max(1, result.peakWaiting))),
      integer(medianOf(list, (result) => result.pauses)),
    ];
  });
  console.log(table(COLUMNS, rows));
  console.log('B RSS/waiting rec: (peak RSS - RSS at start) / peak waiting; for the bounded run it is mostly the fixed cost of the client and buffers');
  const [bounded, unbounded] = variants.map((variant) => samples.get(variant)!);
  if (bounded!.length > 0 && unbounded!.length > 0) {
    const rssOf = (list: readonly MemoryResult[]): number => medianOf(list, (result) => result.maxRssKb);
    console.log(
      `key ratios: bounded / unbounded records/s = ${fixed(medianOf(bounded!, rateOf) / medianOf(unbounded!, rateOf), 2)}; ` +
        `peak RSS bounded ${mb(rssOf(bounded!))} MB vs unbounded ${mb(rssOf(unbounded!))} MB (${fixed(rssOf(unbounded!) / rssOf(bounded!), 1)}x)`,
    );
  }
  return [];
}
