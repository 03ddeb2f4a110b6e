/**
 * Runs one example by name: `npm run example -- <name>` runs `examples/<name>.ts`.
 * Without a name, or with an unknown one, lists the examples and exits with code 2.
 */
import { readdirSync, readFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const NOT_EXAMPLES = new Set(['run', 'demo']);

/** Every `examples/*.ts` but this runner and the demo, by name. */
const examples = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .filter((name) => !NOT_EXAMPLES.has(name))
  .sort();

/** The first line of an example's header comment. */
function summary(name: string): string {
  const source = readFileSync(new URL(`${name}.ts`, here), 'utf8');
  return /^\s*\*\s+(\S.*)$/m.exec(source)?.[1] ?? '';
}

const name = process.argv[2];
if (name === undefined || !examples.includes(name)) {
  if (name !== undefined && name !== '--help') console.error(`unknown example '${name}'\n`);
  console.error('usage: npm run example -- <name>\n\nexamples:');
  const width = Math.max(...examples.map((example) => example.length));
  for (const example of examples) console.error(`  ${example.padEnd(width)}  ${summary(example)}`);
  console.error('\nand the end-to-end demo: npm start [-- --records N]');
  console.error('Set KINESIS_ENDPOINT (and KINESIS_STREAM, AWS_REGION) to send to another Kinesis than the embedded kinesalite.');
  process.exitCode = 2;
} else {
  await import(new URL(`${name}.ts`, here).href);
}
