/**
 * The layout rule, read from the imports of every module under `lib/`: the service model
 * (`kinesis/`) imports nothing of the package; `shared/` only the service model; the producer and
 * the reader never import each other; the pipeline file loader builds on the producer's config;
 * the command uses only the public API (`index.ts`), the pipeline loader and `shared/`; and no
 * module imports itself back through a cycle.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';

const root = resolve(import.meta.dirname, '..');
const lib = join(root, 'lib');

/** What each folder of `lib/` may import, besides itself. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  kinesis: [],
  shared: ['kinesis'],
  producer: ['kinesis', 'shared'],
  reader: ['kinesis', 'shared'],
  pipeline: ['kinesis', 'shared', 'producer'],
  cli: ['index.ts', 'pipeline', 'shared'],
  'index.ts': ['kinesis', 'shared', 'producer', 'reader', 'pipeline'],
};

/** Every `.ts` file under a folder, as paths relative to `lib/`. */
async function modules(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => relative(lib, join(entry.parentPath, entry.name)));
}

/** The modules of `lib/` a module imports or re-exports (type imports count too), relative to `lib/`. */
async function importsOf(module: string): Promise<string[]> {
  const text = await readFile(join(lib, module), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)';/gms)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(lib, resolve(dirname(join(lib, module)), specifier)).replace(/\.js$/, '.ts'));
}

/** The folder of a module (`producer`), or the file itself for top-level files (`index.ts`). */
const area = (module: string): string => module.split('/')[0]!;

describe('the layout of lib/', () => {
  let graph: Map<string, string[]>;
  before(async () => {
    graph = new Map();
    for (const module of await modules(lib)) graph.set(module, await importsOf(module));
  });

  it('has every module in a folder the rule knows', () => {
    expect([...graph.keys()].map(area).filter((name) => !(name in ALLOWED))).to.deep.equal([]);
  });

  it('imports point one way: kinesis <- shared <- producer, reader <- pipeline <- cli (through index)', () => {
    const wrong: string[] = [];
    for (const [module, imports] of graph) {
      for (const imported of imports) {
        const from = area(module);
        const to = area(imported);
        if (from !== to && !ALLOWED[from]!.includes(to)) wrong.push(`${module} imports ${imported}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (module: string, path: string[]): void => {
      if (state.get(module) === 'done') return;
      if (state.get(module) === 'open') {
        cycles.push([...path.slice(path.indexOf(module)), module].join(' -> '));
        return;
      }
      state.set(module, 'open');
      for (const imported of graph.get(module) ?? []) visit(imported, [...path, module]);
      state.set(module, 'done');
    };
    for (const module of graph.keys()) visit(module, []);
    expect(cycles).to.deep.equal([]);
  });

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([module, imports]) => imports.filter((imported) => !graph.has(imported)).map((imported) => `${module} -> ${imported}`));
    expect(missing).to.deep.equal([]);
  });
});
