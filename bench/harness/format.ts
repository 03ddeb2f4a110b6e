/**
 * What every benchmark scenario shares: medians, round-robin order, number formats, plain-text
 * tables, a full GC between runs, and the time since the benchmark started.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The items, rotated left by `by` (round-robin order of contenders). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** `123,457` */
export const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
/** `value.toFixed(digits)` */
export const fixed = (value: number, digits: number): string => value.toFixed(digits);

/** A plain-text table with a header rule; columns padded, right-aligned where asked. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** A full GC between runs, so that one contender's garbage is not collected on the next one's time. */
export const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Seconds since the benchmark started: `'42 s'`. */
export const elapsed = ((startedAt) => () => `${((performance.now() - startedAt) / 1000).toFixed(0)} s`)(performance.now());
