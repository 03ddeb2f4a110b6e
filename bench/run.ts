/**
 * The benchmark: `toKinesis` against a raw SDK loop, the naive one-`PutRecord`-per-item loop, the
 * wire-work floor, and two npm producers, all sending to a null Kinesis endpoint that runs in a
 * process of its own.
 *
 *   npm run bench                          every scenario
 *   npm run bench -- --quick               a smoke run: small N, one repetition
 *   npm run bench -- --scenario instant    one scenario (instant, 20ms, 50kb, memory, aggregation, kpl-encoder; or a comma list)
 *   npm run bench -- --reps 5              repetitions per contender (after one warm-up round)
 *   npm run bench -- --contender tokinesis-c1,raw-sdk   only these contenders
 *
 * Contenders run round-robin (one run of each, in a rotating order, then the next round), so a
 * slow drift of the machine hits all of them alike. CPU is `process.cpuUsage()` of this process,
 * which excludes the null endpoint's.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from '../lib/index.js';
import { runAggregation, runEncoder } from './scenarios/aggregation.js';
import { naivePutRecordLoop, rawSdkLoop, toKinesisContender } from './contenders/sdkLoops.js';
import type { Contender, RunOptions } from './contenders/sdkLoops.js';
import { makeEvents, meanJsonBytes } from './harness/events.js';
import type { BenchEvent } from './harness/events.js';
import { wireFloor } from './contenders/wireFloor.js';
import { elapsed, fixed, gc, integer, median, rotate, table } from './harness/format.js';
import type { MemoryResult, MemoryRun } from './contenders/memoryChild.js';
import { awsKinesisWritableContender, kinesisStreamsContender, loadPeers } from './contenders/npmPeers.js';
import type { Peers } from './contenders/npmPeers.js';
import { startNullKinesis, TS_EXEC_ARGV } from './harness/server.js';
import type { NullKinesis } from './harness/server.js';

// ---------------------------------------------------------------------------------------------
// Scenarios

/** What every scenario has. */
interface ScenarioBase {
  readonly name: string;
  readonly title: string;
  readonly records: number;
  readonly quickRecords: number;
  readonly recordBytes: number;
  readonly delayMs: number;
}

interface ThroughputScenario extends ScenarioBase {
  readonly kind: 'throughput';
  /** The naive loop sends `records / naiveDivisor` records (it is that much slower). */
  readonly naiveDivisor: number;
}

interface MemoryScenario extends ScenarioBase {
  readonly kind: 'memory';
  readonly concurrency: number;
  readonly bound: { readonly maxRecords: number; readonly highWater: number; readonly lowWater: number };
}

/** `toKinesis` without and with KPL aggregation (`aggregation`), or the KPL codecs alone (`kpl-encoder`). */
interface AggregationScenario extends ScenarioBase {
  readonly kind: 'aggregation' | 'kpl-encoder';
}

type Scenario = ThroughputScenario | MemoryScenario | AggregationScenario;

const SCENARIOS: readonly Scenario[] = [
  {
    kind: 'throughput',
    name: 'instant',
    title: 'instant endpoint, ~90 B records',
    records: 100_000,
    quickRecords: 10_000,
    recordBytes: 90,
    delayMs: 0,
    naiveDivisor: 50,
  },
  {
    kind: 'throughput',
    name: '20ms',
    title: 'endpoint answering after 20 ms, ~90 B records',
    records: 30_000,
    quickRecords: 5_000,
    recordBytes: 90,
    delayMs: 20,
    naiveDivisor: 300,
  },
  {
    kind: 'throughput',
    name: '50kb',
    title: 'instant endpoint, 50 KB records',
    records: 2_000,
    quickRecords: 300,
    recordBytes: 50_000,
    delayMs: 0,
    naiveDivisor: 40,
  },
  {
    kind: 'memory',
    name: 'memory',
    title: '200 B records from a generator-based Readable, endpoint answering after 20 ms',
    records: 1_000_000,
    quickRecords: 50_000,
    recordBytes: 200,
    delayMs: 20,
    concurrency: 4,
    bound: { maxRecords: 10_000, highWater: 9_000, lowWater: 5_000 },
  },
  {
    kind: 'aggregation',
    name: 'aggregation',
    title: 'instant endpoint, ~100 B records, toKinesis without and with KPL aggregation',
    records: 100_000,
    quickRecords: 10_000,
    recordBytes: 110,
    delayMs: 0,
  },
  {
    kind: 'kpl-encoder',
    name: 'kpl-encoder',
    title: 'KPL aggregate encoding and decoding in process: lib/kpl.ts against protobufjs 7',
    records: 100_000,
    quickRecords: 10_000,
    recordBytes: 110,
    delayMs: 0,
  },
];

// ---------------------------------------------------------------------------------------------
// Arguments

interface Args {
  readonly scenarios: readonly Scenario[];
  readonly quick: boolean;
  readonly reps: number;
  readonly contenders: readonly string[] | undefined;
}

function usage(message?: string): never {
  if (message !== undefined) console.error(message);
  console.error(
    'usage: npm run bench -- [--quick] [--reps N] [--scenario instant|20ms|50kb|memory|aggregation|kpl-encoder[,..]] [--contender SLUG[,..]]\n' +
      `contenders: ${CONTENDER_SLUGS.join(', ')}`,
  );
  process.exit(message === undefined ? 0 : 2);
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let reps: number | undefined;
  let names: string[] | undefined;
  let contenders: string[] | undefined;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = (): string => argv[++index] ?? usage(`${flag} needs a value`);
    if (flag === '--quick') quick = true;
    else if (flag === '--reps') reps = Number(value());
    else if (flag === '--scenario') names = value().split(',');
    else if (flag === '--contender') contenders = value().split(',');
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`unknown argument ${flag}`);
  }
  if (reps !== undefined && !(Number.isInteger(reps) && reps > 0)) usage('--reps takes a positive integer');
  const scenarios = names === undefined ? SCENARIOS : names.map((name) => SCENARIOS.find((scenario) => scenario.name === name) ?? usage(`no scenario ${name}`));
  for (const slug of contenders ?? []) if (!CONTENDER_SLUGS.includes(slug)) usage(`no contender ${slug}`);
  return { scenarios, quick, reps: reps ?? (quick ? 1 : 5), contenders };
}

// ---------------------------------------------------------------------------------------------
// Contenders

type Family = 'toKinesis' | 'raw' | 'naive' | 'floor' | 'peer';

interface Entry {
  readonly slug: string;
  readonly label: string;
  readonly family: Family;
  readonly concurrency?: number;
  /** Missing when the contender cannot run; `unavailable` says why. */
  readonly run?: Contender;
  readonly unavailable?: string;
}

const CONTENDER_SLUGS = [
  'tokinesis-c1',
  'tokinesis-c4',
  'tokinesis-c8',
  'raw-sdk',
  'naive-putrecord',
  'floor-c1',
  'floor-c4',
  'floor-c8',
  'aws-kinesis-writable',
  'kinesis-streams',
];

function contenders(peers: Peers | undefined): Entry[] {
  const peer = (slug: string, label: string, make: (loaded: Extract<Peers, { ok: true }>) => Contender): Entry =>
    peers?.ok === true ? { slug, label, family: 'peer', run: make(peers) } : { slug, label, family: 'peer', unavailable: peers?.reason ?? 'not loaded' };
  return [
    ...[1, 4, 8].map((c): Entry => ({ slug: `tokinesis-c${c}`, label: `toKinesis c${c}`, family: 'toKinesis', concurrency: c, run: toKinesisContender(c) })),
    { slug: 'raw-sdk', label: 'raw SDK v3 loop (seq)', family: 'raw', run: rawSdkLoop },
    { slug: 'naive-putrecord', label: 'naive PutRecord loop', family: 'naive', run: naivePutRecordLoop },
    ...[1, 4, 8].map((c): Entry => ({ slug: `floor-c${c}`, label: `wire floor c${c}`, family: 'floor', concurrency: c, run: wireFloor(c) })),
    peer('aws-kinesis-writable', 'aws-kinesis-writable 4.3 (unbounded)', awsKinesisWritableContender),
    peer('kinesis-streams', 'kinesis-streams 0.7 (seq)', kinesisStreamsContender),
  ];
}

// ---------------------------------------------------------------------------------------------
// Measuring

const STREAM = 'bench';
const RUN_OPTIONS = { streamName: STREAM, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const RUN_TIMEOUT_MS = 300_000;

interface Sample {
  readonly recordsPerSecond: number;
  readonly cpuMsPer1000: number;
  readonly requests: number;
  /** The null endpoint's CPU time over the wall time of the run (1 = one core busy). */
  readonly serverLoad: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no completion after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function measure(run: Contender, n: number, records: readonly BenchEvent[], server: NullKinesis, options: RunOptions): Promise<Sample> {
  gc();
  await server.reset();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await withTimeout(run(n, records, server.endpoint, options), RUN_TIMEOUT_MS);
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = await server.stats();
  if (stats.records !== n) throw new Error(`the endpoint received ${stats.records} records, not ${n}`);
  return {
    recordsPerSecond: n / (elapsedMs / 1000),
    cpuMsPer1000: (cpu.user + cpu.system) / 1000 / (n / 1000),
    requests: stats.requests,
    serverLoad: stats.cpuMs / elapsedMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Printing

/** A ratio: two decimals, or two significant digits below 0.1 (the naive loop). */
const ratioText = (value: number): string => (value >= 0.1 ? value.toFixed(2) : value.toPrecision(2));

/** One checked target, for the scenario's key-ratio line and the summary. */
interface Target {
  readonly scenario: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly target: number;
}

function formatTarget(target: Target): string {
  if (target.value === undefined || !Number.isFinite(target.value)) return `${target.label} = n/a (target >= ${target.target})`;
  return `${target.label} = ${fixed(target.value, 2)} (target >= ${target.target}: ${target.value >= target.target ? 'ok' : 'BELOW'})`;
}


// ---------------------------------------------------------------------------------------------
// Throughput scenarios

async function runThroughput(scenario: ThroughputScenario, args: Args, server: NullKinesis, peers: Peers | undefined): Promise<Target[]> {
  await server.setDelay(scenario.delayMs);
  const n = args.quick ? scenario.quickRecords : scenario.records;
  const records = makeEvents(n, scenario.recordBytes);
  const meanBytes = meanJsonBytes(records);
  const peerBatchSize = Math.min(MAX_RECORDS_PER_REQUEST, Math.floor(MAX_BYTES_PER_REQUEST / (meanBytes + 9)));
  const options: RunOptions = { ...RUN_OPTIONS, peerBatchSize };
  const naiveN = Math.max(1, Math.round(n / scenario.naiveDivisor));
  const entries = contenders(peers).filter((entry) => args.contenders === undefined || args.contenders.includes(entry.slug));
  const runnable = entries.filter((entry) => entry.run !== undefined);

  console.log(`\n## ${scenario.name}: ${scenario.title}`);
  console.log(
    `${integer(n)} records of ${integer(meanBytes)} B (JSON), ${scenario.delayMs} ms per answer, ` +
      `${args.reps} rep(s) after a warm-up round, round-robin`,
  );

  const samples = new Map<string, Sample[]>(runnable.map((entry) => [entry.slug, []]));
  const errors = new Map<string, string>();
  for (let round = 0; round <= args.reps; round++) {
    for (const entry of rotate(runnable, round)) {
      if (errors.has(entry.slug)) continue;
      const count = entry.family === 'naive' ? naiveN : n;
      try {
        const sample = await measure(entry.run!, count, records, server, options);
        if (round > 0) samples.get(entry.slug)!.push(sample);
      } catch (error) {
        errors.set(entry.slug, error instanceof Error ? error.message : String(error));
        console.error(`  ${entry.label} failed: ${errors.get(entry.slug)}`);
      }
    }
    console.error(`  [${scenario.name}] ${round === 0 ? 'warm-up' : `rep ${round}/${args.reps}`} done (${elapsed()})`);
  }

  const rate = (slug: string): number | undefined => {
    const list = samples.get(slug);
    return list === undefined || list.length === 0 || errors.has(slug) ? undefined : median(list.map((sample) => sample.recordsPerSecond));
  };
  const raw = rate('raw-sdk');
  const rows = entries.map((entry): string[] => {
    const reason = entry.unavailable ?? errors.get(entry.slug);
    const list = samples.get(entry.slug) ?? [];
    if (reason !== undefined || list.length === 0) return [entry.label, 'n/a', '', '', '', '', '', reason ?? 'no sample'];
    const rates = list.map((sample) => sample.recordsPerSecond);
    const mine = median(rates);
    return [
      entry.label,
      integer(mine),
      `${integer(Math.min(...rates))}-${integer(Math.max(...rates))}`,
      fixed(median(list.map((sample) => sample.cpuMsPer1000)), 1),
      raw === undefined ? 'n/a' : ratioText(mine / raw),
      integer(median(list.map((sample) => sample.requests))),
      `${integer(100 * median(list.map((sample) => sample.serverLoad)))}%`,
      entry.family === 'naive' ? `${integer(naiveN)} records (N/${scenario.naiveDivisor}), per-record figures` : entry.family === 'peer' ? `${peerBatchSize} records/request` : '',
    ];
  });
  console.log(
    table(
      ['contender', 'records/s (median)', 'min-max', 'CPU ms/1k rec', 'vs raw SDK', 'req/run', 'server CPU', 'note'],
      rows,
      [false, true, true, true, true, true, true, false],
    ),
  );

  const toKinesisRates = [1, 4, 8].map((c) => ({ c, value: rate(`tokinesis-c${c}`) })).filter((entry) => entry.value !== undefined);
  const best = toKinesisRates.reduce<{ c: number; value: number } | undefined>(
    (top, entry) => (top === undefined || entry.value! > top.value ? { c: entry.c, value: entry.value! } : top),
    undefined,
  );
  const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b);
  const targets: Target[] = [
    { scenario: scenario.name, label: 'toKinesis c1 / raw SDK', value: ratio(rate('tokinesis-c1'), raw), target: 1.2 },
    { scenario: scenario.name, label: `best toKinesis (c${best?.c ?? '?'}) / aws-kinesis-writable`, value: ratio(best?.value, rate('aws-kinesis-writable')), target: 1.1 },
    { scenario: scenario.name, label: `best toKinesis (c${best?.c ?? '?'}) / wire floor c${best?.c ?? '?'}`, value: ratio(best?.value, best && rate(`floor-c${best.c}`)), target: 0.75 },
  ];
  if (scenario.delayMs > 0) {
    targets.push(
      { scenario: scenario.name, label: 'toKinesis c4 / raw SDK (seq)', value: ratio(rate('tokinesis-c4'), raw), target: 3.5 },
      { scenario: scenario.name, label: 'toKinesis c8 / raw SDK (seq)', value: ratio(rate('tokinesis-c8'), raw), target: 6 },
    );
  }
  const sameConcurrency = [1, 4, 8]
    .map((c) => ({ c, value: ratio(rate(`tokinesis-c${c}`), rate(`floor-c${c}`)) }))
    .filter((entry) => entry.value !== undefined)
    .map((entry) => `c${entry.c} ${fixed(entry.value!, 2)}`);
  console.log('key ratios:');
  for (const target of targets) console.log(`  ${formatTarget(target)}`);
  if (sameConcurrency.length > 0) console.log(`  (toKinesis / wire floor at the same concurrency: ${sameConcurrency.join(', ')})`);
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Memory scenario

function runMemoryChild(config: MemoryRun): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./contenders/memoryChild.ts', import.meta.url)), [], {
      execArgv: TS_EXEC_ARGV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: MemoryResult | undefined;
    child.once('message', (message: MemoryResult) => (result = message));
    child.once('error', reject);
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`the memory child exited (${code}) without a result`))));
    child.send(config);
  });
}

/** Each memory run takes 15-25 s (a million records): the scenario runs at most this many repetitions. */
const MEMORY_MAX_REPS = 3;

async function runMemory(scenario: MemoryScenario, args: Args, server: NullKinesis): Promise<Target[]> {
  await server.setDelay(scenario.delayMs);
  const n = args.quick ? scenario.quickRecords : scenario.records;
  const reps = Math.min(args.reps, MEMORY_MAX_REPS);
  const { bound } = scenario;
  console.log(`\n## ${scenario.name}: ${scenario.title}`);
  console.log(
    `${integer(n)} records, toKinesis concurrency ${scenario.concurrency}, each run in a fresh child process (no warm-up), ` +
      `${reps} rep(s) (--reps, at most ${MEMORY_MAX_REPS}), alternating; bounded: backlog.maxRecords ${integer(bound.maxRecords)}, ` +
      `source paused at ${integer(bound.highWater)} waiting and resumed at ${integer(bound.lowWater)}`,
  );
  const variants = [
    { label: 'toKinesis, bounded + pause/resume', bound },
    { label: 'toKinesis, no bound', bound: undefined },
  ];
  const results = new Map<string, MemoryResult[]>(variants.map((variant) => [variant.label, []]));
  const errors = new Map<string, string>();
  for (let round = 0; round < reps; round++) {
    for (const variant of rotate(variants, round)) {
      if (errors.has(variant.label)) continue;
      try {
        await server.reset();
        const config: MemoryRun = {
          endpoint: server.endpoint,
          streamName: STREAM,
          records: n,
          recordBytes: scenario.recordBytes,
          concurrency: scenario.concurrency,
          ...(variant.bound === undefined ? {} : { bound: variant.bound }),
        };
        const result = await runMemoryChild(config);
        const stats = await server.stats();
        if (result.sent !== n || result.failed !== 0 || stats.records !== n) {
          throw new Error(`${result.sent} sent, ${result.failed} failed, the endpoint received ${stats.records}, of ${n}`);
        }
        results.get(variant.label)!.push(result);
      } catch (error) {
        errors.set(variant.label, error instanceof Error ? error.message : String(error));
        console.error(`  ${variant.label} failed: ${errors.get(variant.label)}`);
      }
    }
    console.error(`  [${scenario.name}] rep ${round + 1}/${reps} done (${elapsed()})`);
  }

  const mb = (kb: number): string => fixed(kb / 1024, 0);
  const rows = variants.map((variant): string[] => {
    const list = results.get(variant.label)!;
    if (list.length === 0) return [variant.label, 'n/a', '', '', '', '', '', '', errors.get(variant.label) ?? 'no sample'];
    const rates = list.map((result) => result.sent / (result.elapsedMs / 1000));
    const peaks = list.map((result) => result.maxRssKb);
    return [
      variant.label,
      integer(median(rates)),
      `${integer(Math.min(...rates))}-${integer(Math.max(...rates))}`,
      fixed(median(list.map((result) => result.cpuMs / (result.sent / 1000))), 1),
      `${mb(median(peaks))} (${mb(Math.min(...peaks))}-${mb(Math.max(...peaks))})`,
      mb(median(list.map((result) => result.baselineRssKb))),
      integer(median(list.map((result) => result.peakWaiting))),
      integer(median(list.map((result) => ((result.maxRssKb - result.baselineRssKb) * 1024) / Math.max(1, result.peakWaiting)))),
      integer(median(list.map((result) => result.pauses))),
    ];
  });
  console.log(
    table(
      ['variant', 'records/s (median)', 'min-max', 'CPU ms/1k rec', 'peak RSS MB', 'RSS at start MB', 'peak waiting', 'B RSS/waiting rec', 'pauses'],
      rows,
      [false, true, true, true, true, true, true, true, true],
    ),
  );
  console.log('B RSS/waiting rec: (peak RSS - RSS at start) / peak waiting; for the bounded run it is mostly the fixed cost of the client and buffers');
  const [bounded, unbounded] = variants.map((variant) => results.get(variant.label)!);
  if (bounded!.length > 0 && unbounded!.length > 0) {
    const rateOf = (list: MemoryResult[]): number => median(list.map((result) => result.sent / (result.elapsedMs / 1000)));
    const rssOf = (list: MemoryResult[]): number => median(list.map((result) => result.maxRssKb));
    console.log(
      `key ratios: bounded / unbounded records/s = ${fixed(rateOf(bounded!) / rateOf(unbounded!), 2)}; ` +
        `peak RSS bounded ${mb(rssOf(bounded!))} MB vs unbounded ${mb(rssOf(unbounded!))} MB (${fixed(rssOf(unbounded!) / rssOf(bounded!), 1)}x)`,
    );
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Aggregation scenarios (bench/aggregation.ts)

async function runAggregationScenario(scenario: AggregationScenario, args: Args, server: NullKinesis): Promise<void> {
  await server.setDelay(scenario.delayMs);
  const n = args.quick ? scenario.quickRecords : scenario.records;
  const records = makeEvents(n, scenario.recordBytes);
  console.log(`\n## ${scenario.name}: ${scenario.title}`);
  if (scenario.kind === 'kpl-encoder') return runEncoder(records, args.reps);
  console.log(`${integer(n)} records of ${integer(meanJsonBytes(records))} B (JSON), keyed by 1,000 users, ${args.reps} rep(s) after a warm-up round, round-robin`);
  await runAggregation(n, records, args.reps, server, { ...RUN_OPTIONS, peerBatchSize: MAX_RECORDS_PER_REQUEST });
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cpus = os.cpus();
  console.log('# rxjs-kinesis benchmark');
  console.log(
    `machine: ${os.availableParallelism()} cores, ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${integer(os.totalmem() / 2 ** 20)} MiB RAM; ` +
      `Node ${process.version} ${process.platform}/${process.arch}${args.quick ? '; QUICK run (small N, 1 rep: smoke test, not figures)' : ''}`,
  );
  console.log('null Kinesis endpoint: a separate process (HTTP/1.1 keep-alive, 127.0.0.1); its CPU is not in "CPU ms/1k rec"');

  const wantsPeers =
    args.scenarios.some((scenario) => scenario.kind === 'throughput') &&
    (args.contenders === undefined || args.contenders.some((slug) => slug === 'aws-kinesis-writable' || slug === 'kinesis-streams'));
  const peers = wantsPeers ? loadPeers() : undefined;
  if (peers?.ok === false) console.log(`npm peers unavailable: ${peers.reason}`);

  const server = await startNullKinesis();
  const targets: Target[] = [];
  try {
    for (const scenario of args.scenarios) {
      if (scenario.kind === 'throughput') targets.push(...(await runThroughput(scenario, args, server, peers)));
      else if (scenario.kind === 'memory') targets.push(...(await runMemory(scenario, args, server)));
      else await runAggregationScenario(scenario, args, server);
    }
  } finally {
    await server.close();
  }
  if (targets.length > 0) {
    console.log('\n## targets');
    for (const target of targets) console.log(`  ${target.scenario}: ${formatTarget(target)}`);
  }
  console.log(`\ntotal time ${elapsed()}`);
}

await main();
