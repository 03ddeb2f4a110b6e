/**
 * Field paths (`'customer_id'`, `'order.id'`): how they are written and read.
 *
 * @module
 */

/**
 * Whether a string is a field path: one or more non-empty names joined by dots.
 *
 * @param path - Any string.
 * @returns `true` for `'customer_id'` or `'order.id'`; `false` for `''`, `'a..b'`, `'.a'`.
 */
export function isFieldPath(path: string): boolean {
  return path.length > 0 && path.split('.').every((part) => part.length > 0);
}

/**
 * A reader of a field path: follows the names from an item, and gives `undefined` where the path
 * leaves the objects.
 *
 * @param path - A field path.
 * @returns A function from an item to the value at the path.
 */
export function readFieldPath(path: string): (item: unknown) => unknown {
  const parts = path.split('.');
  return (item) => {
    let value: unknown = item;
    for (const part of parts) {
      if (typeof value !== 'object' || value === null) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}
