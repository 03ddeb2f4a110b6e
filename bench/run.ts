/**
 * The benchmark's entry point (`npm run bench -- [options]`; see `bench/README.md`): reads the
 * options, starts the null Kinesis endpoint, runs the scenarios one after the other and prints
 * the targets they checked.
 *
 *   npm run bench                          every scenario
 *   npm run bench -- --quick               a smoke run: small N, one repetition
 *   npm run bench -- --scenario instant    one scenario (or a comma list)
 *   npm run bench -- --reps 5              repetitions per contender (after one warm-up round)
 *   npm run bench -- --contender tokinesis-c1,raw-sdk   only these contenders
 */
import os from 'node:os';
import { CONTENDER_SLUGS, PEER_SLUGS } from './contenders/index.js';
import { loadPeers } from './contenders/npmPeers.js';
import { elapsed, integer } from './harness/format.js';
import { startNullKinesis } from './harness/server.js';
import { formatTarget } from './harness/targets.js';
import type { Target } from './harness/targets.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Scenario } from './scenarios/scenario.js';

interface Args {
  readonly scenarios: readonly Scenario[];
  readonly quick: boolean;
  readonly reps: number;
  readonly contenders: readonly string[] | undefined;
  readonly baseline: string | undefined;
}

function usage(message?: string): never {
  if (message !== undefined) console.error(message);
  console.error(
    `usage: npm run bench -- [--quick] [--reps N] [--scenario ${SCENARIOS.map((scenario) => scenario.name).join('|')}[,..]] [--contender SLUG[,..]] [--baseline DIR]\n` +
      `contenders: ${CONTENDER_SLUGS.join(', ')}`,
  );
  process.exit(message === undefined ? 0 : 2);
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let reps: number | undefined;
  let names: string[] | undefined;
  let contenders: string[] | undefined;
  let baseline: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = (): string => argv[++index] ?? usage(`${flag} needs a value`);
    if (flag === '--quick') quick = true;
    else if (flag === '--reps') reps = Number(value());
    else if (flag === '--scenario') names = value().split(',');
    else if (flag === '--contender') contenders = value().split(',');
    else if (flag === '--baseline') baseline = value();
    else if (flag === '--help' || flag === '-h') usage();
    else usage(`unknown argument ${flag}`);
  }
  if (reps !== undefined && !(Number.isInteger(reps) && reps > 0)) usage('--reps takes a positive integer');
  const scenarios = names === undefined ? SCENARIOS : names.map((name) => SCENARIOS.find((scenario) => scenario.name === name) ?? usage(`no scenario ${name}`));
  for (const slug of contenders ?? []) if (!CONTENDER_SLUGS.includes(slug)) usage(`no contender ${slug}`);
  return { scenarios, quick, reps: reps ?? (quick ? 1 : 5), contenders, baseline };
}

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
    args.scenarios.some((scenario) => scenario.usesPeers) && (args.contenders === undefined || args.contenders.some((slug) => PEER_SLUGS.includes(slug)));
  const peers = wantsPeers ? loadPeers() : undefined;
  if (peers?.ok === false) console.log(`npm peers unavailable: ${peers.reason}`);

  const server = await startNullKinesis();
  const targets: Target[] = [];
  try {
    for (const scenario of args.scenarios) {
      await server.setDelay(scenario.delayMs);
      console.log(`\n## ${scenario.name}: ${scenario.title}`);
      const n = args.quick ? scenario.quickRecords : scenario.records;
      targets.push(...(await scenario.run({ n, reps: args.reps, only: args.contenders, server, peers, baseline: args.baseline })));
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
