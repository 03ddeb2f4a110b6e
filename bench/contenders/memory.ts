/**
 * The contenders of the memory scenario: `toKinesis` bounded (with `pauseWhenBusy`) and
 * unbounded, each run in a fresh child process (`memoryChild.ts`) so that its peak RSS is its own.
 */
import { forkTypeScript } from '../harness/server.js';
import type { Bound, MemoryResult, MemoryRun } from './memoryChild.js';

/** One variant: its row label, and its bound (none: the source is never paused). */
export interface MemoryVariant {
  readonly label: string;
  readonly bound: Bound | undefined;
}

/**
 * The variants, in the order of their rows.
 *
 * @param bound - The bound of the bounded variant.
 * @returns Bounded, then unbounded.
 */
export function memoryVariants(bound: Bound): readonly MemoryVariant[] {
  return [
    { label: 'toKinesis, bounded + pause/resume', bound },
    { label: 'toKinesis, no bound', bound: undefined },
  ];
}

/**
 * Runs one variant in a fresh child process.
 *
 * @param config - What the child sends, and how.
 * @returns What the child measured.
 */
export function runMemoryChild(config: MemoryRun): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = forkTypeScript(new URL('./memoryChild.ts', import.meta.url));
    let result: MemoryResult | undefined;
    child.once('message', (message: MemoryResult) => (result = message));
    child.once('error', reject);
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`the memory child exited (${code}) without a result`))));
    child.send(config);
  });
}
