/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`) by where the time went: this library's modules,
 * the AWS SDK / Smithy packages, RxJS, Node's internals, the garbage collector, idle.
 *
 *   node --cpu-prof --cpu-prof-dir prof --import tsx bench/run.ts --scenario instant --contender tokinesis-c1 --reps 3
 *   node --import tsx bench/profileSummary.ts prof/<file>.cpuprofile [rows]
 *
 * Shares are of the busy time (idle left out), self time only.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The part of the process a function belongs to. */
function categoryOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8 (program)';
  const within = (marker: string): string | undefined => (url.includes(marker) ? url.slice(url.indexOf(marker) + marker.length).split('/')[0] : undefined);
  if (url.includes('/lib/') && !url.includes('node_modules')) return `rxjs-kinesis: ${url.slice(url.lastIndexOf('/lib/') + 5)}`;
  const scoped = within('node_modules/@smithy/') ?? within('node_modules/@aws-sdk/');
  if (scoped !== undefined) return `AWS SDK: ${scoped}`;
  if (url.includes('node_modules/rxjs/')) return 'rxjs';
  if (url.includes('/bench/')) return 'benchmark harness';
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length)}`;
  if (url === '') return `native: ${functionName}`;
  return `other: ${url.split('/').slice(-2).join('/')}`;
}

const [file, rowsArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node --import tsx bench/profileSummary.ts <file.cpuprofile> [rows]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byCategory = new Map<string, number>();
profile.samples.forEach((id, index) => {
  const category = categoryOf(nodes.get(id)!.callFrame);
  byCategory.set(category, (byCategory.get(category) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const idle = byCategory.get('idle') ?? 0;
const total = [...byCategory.values()].reduce((sum, time) => sum + time, 0);
const busy = total - idle;
console.log(`profiled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (idle ${((100 * idle) / total).toFixed(0)}% of the time)`);
const rows = [...byCategory].filter(([category]) => category !== 'idle').sort((a, b) => b[1] - a[1]);
for (const [category, time] of rows.slice(0, Number(rowsArg ?? 20))) {
  console.log(`${((100 * time) / busy).toFixed(1).padStart(5)}%  ${category}`);
}
