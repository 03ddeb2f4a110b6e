/**
 * What each line becomes before `toKinesis`: an item that carries the line (and, with
 * `--partition-key`, the value of the key field at the same field path, for the operator to read
 * and check as it checks any field path), or the reason the line cannot be sent at all.
 *
 * @module
 */
import type { Line } from './lines.js';
import type { ClientErrorCode } from '../index.js';
import { messageOf } from '../shared/errors.js';
import { readFieldPath } from '../shared/fieldPath.js';
import { formatBytes } from '../shared/format.js';

/** Where an item keeps its line: a symbol, so that no field path can reach it. */
export const LINE: unique symbol = Symbol('line');

/**
 * The item `toKinesis` gets for a line: the line under {@link LINE}, and with `--partition-key`
 * the key field's value at its field path (`customer.id` is `{ customer: { id: value } }`), where
 * the operator's field path reads it. The operator then words a bad key as for any field path:
 * `field 'customer.id' is missing, expected a string or number`.
 */
export interface LineItem {
  readonly [LINE]: Line;
  readonly [field: string]: unknown;
}

/** A line refused before `toKinesis` sees it, and why. */
export interface LineRefusal {
  readonly line: Line;
  readonly errorCode: Extract<ClientErrorCode, 'RecordTooLarge' | 'InvalidPartitionKey'>;
  readonly errorMessage: string;
}

/**
 * Whether a line became an item (rather than a refusal).
 *
 * @param prepared - What {@link lineItems} made of a line.
 * @returns `true` for an item.
 */
export function isLineItem(prepared: LineItem | LineRefusal): prepared is LineItem {
  return LINE in prepared;
}

/**
 * A function from each line to its item, or its refusal: a line over the record limit (its whole
 * size in the message; it is not parsed), or with a key field, a line that is not JSON.
 *
 * @param field - The `--partition-key` field path, or `undefined` for random keys.
 * @param maxRecordBytes - The record limit.
 * @returns The function.
 */
export function lineItems(field: string | undefined, maxRecordBytes: number): (line: Line) => LineItem | LineRefusal {
  const read = field === undefined ? undefined : readFieldPath(field);
  const [first, ...rest] = field === undefined ? [] : field.split('.');
  return (line) => {
    if (line.size > maxRecordBytes) {
      return { line, errorCode: 'RecordTooLarge', errorMessage: `the line is ${formatBytes(line.size)}, over the record limit of ${formatBytes(maxRecordBytes)}` };
    }
    if (read === undefined || first === undefined) return { [LINE]: line };
    let value: unknown;
    try {
      value = JSON.parse(line.data.toString('utf8'));
    } catch (error) {
      return { line, errorCode: 'InvalidPartitionKey', errorMessage: `the line is not JSON (${messageOf(error)}), so it has no field '${field}'` };
    }
    // Computed keys: a field named `__proto__` is an own field here too, as JSON.parse makes it.
    const nested = rest.reduceRight<unknown>((inner, part) => ({ [part]: inner }), read(value));
    return { [LINE]: line, [first]: nested };
  };
}
