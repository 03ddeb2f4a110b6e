/**
 * The micro scenario: the per-record steps of `toKinesis` in process, no endpoint, in nanoseconds
 * per record: preparing a record (field key, and the default random UUID key), writing the
 * `PutRecords` body, and reading its answer. Every case runs many short samples, case after case
 * in an order shuffled every round, so that a drift of the machine hits all alike and a 2% change shows.
 *
 * With `--baseline DIR` (another checkout of this repository, its `node_modules` installed), the
 * same cases also run on that checkout's `lib/`, alternating sample by sample with this one's, and
 * the table gives the ratio of each pair: the median of the per-round ratios, so that a slow
 * drift cancels.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeEvents } from '../harness/events.js';
import type { BenchEvent } from '../harness/events.js';
import { fixed, integer, left, median, right, table } from '../harness/format.js';
import { gc } from '../harness/measure.js';
import { roundRobin } from '../harness/roundRobin.js';
import type { Scenario, ScenarioContext } from './scenario.js';

/** Records per request in the body and answer cases (the default `batch.size`). */
const BATCH = 500;

/** Each sample lasts about this long (its iteration count is set in the warm-up round). */
const SAMPLE_MS = 40;

/** Rounds per `--reps`: micro samples are short, so a rep is several rounds. */
const ROUNDS_PER_REP = 8;

/** The entry points the cases call, as loaded from one checkout's `lib/`. */
interface Lib {
  readonly prepareRecord: (item: unknown, options: unknown) => { readonly accepted: boolean };
  readonly resolveSettings: (config: object) => { readonly records: unknown };
  readonly bodyHead: (target: { StreamName: string }) => string;
  readonly BodyBuffers: new () => { give(buffer: Buffer): void };
  readonly writeBody: (head: string, records: readonly unknown[], buffers: unknown) => { buffer: Buffer; body: Buffer };
  readonly readAnswer: (body: string, count: number) => readonly unknown[];
}

async function loadLib(root: string): Promise<Lib> {
  const load = async (module: string): Promise<Record<string, unknown>> =>
    (await import(pathToFileURL(path.join(root, 'lib', 'producer', `${module}.js`)).href)) as Record<string, unknown>;
  const [prepare, settings, body, answer] = await Promise.all([load('prepareRecord'), load('settings'), load('requestBody'), load('answer')]);
  return { ...prepare, ...settings, ...body, ...answer } as unknown as Lib;
}

/** One case on one checkout: runs `iterations` times over its records; returns the records done. */
interface Case {
  readonly label: string;
  readonly variant: string;
  /** One pass; returns how many records it handled. */
  readonly pass: () => number;
  /** Passes per sample, set in the warm-up round. */
  passes: number;
}

/** The answer the null endpoint gives to a request of `count` records. */
function answerText(count: number): string {
  const entries: string[] = [];
  for (let index = 0; index < count; index++) entries.push(`{"SequenceNumber":"49648935820664275806320404521374120000000000000000${String(index).padStart(6, '0')}","ShardId":"shardId-000000000000"}`);
  return `{"FailedRecordCount":0,"Records":[${entries.join(',')}]}`;
}

/** Keeps a value alive so that the JIT cannot drop the work that made it. */
let sink: unknown;

function cases(lib: Lib, variant: string, events: readonly BenchEvent[]): Case[] {
  const fieldKey = lib.resolveSettings({ streamName: 'bench', partitionKey: 'user', region: 'us-east-1' }).records;
  const defaultKey = lib.resolveSettings({ streamName: 'bench', region: 'us-east-1' }).records;
  const prepare = (options: unknown) => (): number => {
    for (const event of events) sink = lib.prepareRecord(event, options);
    return events.length;
  };
  const batch = events.slice(0, BATCH).map((event) => lib.prepareRecord(event, fieldKey));
  const head = lib.bodyHead({ StreamName: 'bench' });
  const buffers = new lib.BodyBuffers();
  const answer = answerText(BATCH);
  return [
    { label: 'prepare, field key', variant, passes: 1, pass: prepare(fieldKey) },
    { label: 'prepare, default key (random UUID)', variant, passes: 1, pass: prepare(defaultKey) },
    {
      label: `body, ${BATCH} records`,
      variant,
      passes: 1,
      pass: () => {
        const written = lib.writeBody(head, batch, buffers);
        sink = written.body;
        buffers.give(written.buffer);
        return BATCH;
      },
    },
    {
      label: `answer, ${BATCH} records`,
      variant,
      passes: 1,
      pass: () => {
        sink = lib.readAnswer(answer, BATCH);
        return BATCH;
      },
    },
  ];
}

/** The reference costs the table is read against, from Node itself. */
function references(): Case[] {
  return [
    {
      label: 'reference: crypto.randomUUID()',
      variant: 'node',
      passes: 1,
      pass: () => {
        for (let index = 0; index < 1000; index++) sink = crypto.randomUUID();
        return 1000;
      },
    },
  ];
}

const COLUMNS = [...left('case', 'checkout'), ...right('ns/record (median)', 'min-max', 'vs baseline (paired)')];

async function runMicro({ n, reps, baseline }: ScenarioContext): Promise<[]> {
  const events = makeEvents(n, micro.recordBytes);
  const here = cases(await loadLib(path.resolve(import.meta.dirname, '..', '..')), 'this checkout', events);
  const there = baseline === undefined ? [] : cases(await loadLib(path.resolve(baseline)), 'baseline', events);
  const all = [...here.flatMap((mine, index) => (there[index] === undefined ? [mine] : [mine, there[index]])), ...references()];
  const rounds = reps * ROUNDS_PER_REP;
  const run = (entry: Case): number => {
    let records = 0;
    const startedAt = process.hrtime.bigint();
    for (let pass = 0; pass < entry.passes; pass++) records += entry.pass();
    return Number(process.hrtime.bigint() - startedAt) / records;
  };
  // Warm-up: the JIT settles, and each case gets the passes that make a sample last SAMPLE_MS.
  for (const entry of all) {
    for (let index = 0; index < 3; index++) run(entry);
    const startedAt = performance.now();
    let passes = 0;
    while (performance.now() - startedAt < SAMPLE_MS / 4) {
      entry.pass();
      passes++;
    }
    entry.passes = Math.max(1, passes * 4);
  }
  const { samples } = await roundRobin(all, { reps: rounds, warmUp: false, keepGoing: false, progress: 'micro' }, (entry) => {
    if (entry === all[0]) gc();
    return run(entry);
  });
  console.log(
    `${integer(n)} events of ~${micro.recordBytes} B (JSON), requests of ${BATCH} records; samples of ~${SAMPLE_MS} ms, ${rounds} rounds, cases shuffled every round` +
      (baseline === undefined ? '' : `; baseline: ${baseline}`),
  );
  const rows = all.map((entry) => {
    const values = samples.get(entry)!;
    const pair = entry.variant === 'this checkout' ? there[here.indexOf(entry)] : undefined;
    const paired = pair === undefined ? '' : fixed(median(values.map((value, round) => value / samples.get(pair)![round]!)), 3);
    return [entry.label, entry.variant, fixed(median(values), 1), `${fixed(Math.min(...values), 1)}-${fixed(Math.max(...values), 1)}`, paired];
  });
  console.log(table(COLUMNS, rows));
  if (sink === undefined) console.log('');
  return [];
}

export const micro: Scenario = {
  name: 'micro',
  title: 'per-record steps in process (prepare, body, answer), ns per record',
  records: 10_000,
  quickRecords: 2_000,
  recordBytes: 90,
  delayMs: 0,
  usesPeers: false,
  run: runMicro,
};
