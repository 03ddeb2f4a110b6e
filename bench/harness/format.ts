/**
 * How the benchmark prints: medians, number formats, plain-text tables, and the time since the
 * benchmark started.
 */

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median of one field of some samples. */
export const medianOf = <S>(samples: readonly S[], field: (sample: S) => number): number => median(samples.map(field));

/** `123,457` */
export const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
/** `value.toFixed(digits)` */
export const fixed = (value: number, digits: number): string => value.toFixed(digits);

/** A share (0.5) as a percentage with one decimal (`50.0%`). */
export const percent = (share: number): string => `${fixed(100 * share, 1)}%`;

/** The two rate columns of every table: the median, and `min-max`. */
export const rateCells = (rates: readonly number[]): [string, string] => [
  integer(median(rates)),
  `${integer(Math.min(...rates))}-${integer(Math.max(...rates))}`,
];

/** A ratio: two decimals, or two significant digits below 0.1 (the naive loop). */
export const ratioText = (value: number): string => (value >= 0.1 ? value.toFixed(2) : value.toPrecision(2));

/** One column of a table. */
export interface Column {
  readonly header: string;
  /** Right-aligned (figures) or left-aligned (labels and notes). */
  readonly align: 'left' | 'right';
}

/** Left-aligned columns (labels and notes). */
export const left = (...headers: readonly string[]): Column[] => headers.map((header) => ({ header, align: 'left' }));
/** Right-aligned columns (figures). */
export const right = (...headers: readonly string[]): Column[] => headers.map((header) => ({ header, align: 'right' }));

/** A plain-text table with a header rule; columns padded, right-aligned where asked. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map(({ header }, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (columns[column]!.align === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(columns.map(({ header }) => header)), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Seconds since the benchmark started: `'42 s'`. */
export const elapsed = ((startedAt) => () => `${((performance.now() - startedAt) / 1000).toFixed(0)} s`)(performance.now());
