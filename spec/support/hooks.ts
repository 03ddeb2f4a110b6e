/**
 * Mocha root hooks: one in-memory kinesalite for the whole run, started before the first test
 * and closed after the last. Tests reach it with `localKinesis()`.
 */
import { startLocalKinesis } from '../../examples/support/localKinesis.js';
import type { LocalKinesis } from '../../examples/support/localKinesis.js';

let running: LocalKinesis | undefined;

/** The kinesalite started for this run. */
export function localKinesis(): LocalKinesis {
  if (running === undefined) throw new Error('kinesalite is not running (the root hook did not start it)');
  return running;
}

let streams = 0;

/** A fresh stream name for one test. */
export function uniqueStreamName(prefix = 'spec'): string {
  streams += 1;
  return `${prefix}-${process.pid}-${streams}`;
}

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    running = await startLocalKinesis();
  },
  async afterAll(): Promise<void> {
    await running?.close();
    running = undefined;
  },
};
