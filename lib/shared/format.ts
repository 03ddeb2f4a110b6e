/**
 * Numbers and counts as messages show them.
 *
 * @module
 */

/**
 * A human-readable size for messages: `'1,048,577 bytes'`.
 *
 * @param bytes - A byte count.
 * @returns The count with thousands separators and its unit.
 */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/**
 * Counts by name, for messages: `'ProvisionedThroughputExceededException x3, RecordTooLarge x1'`.
 *
 * @param counts - A count per name.
 * @returns The counts, most frequent first.
 */
export function formatCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} x${count}`).join(', ');
}
