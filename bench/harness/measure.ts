/**
 * One measured run of a contender against the null endpoint: a full GC first, the endpoint's
 * counters zeroed, then wall time and this process's CPU time (`process.cpuUsage()`, which
 * excludes the endpoint's process).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Contender, RunOptions } from './contender.js';
import type { BenchEvent } from './events.js';
import type { NullKinesis } from './server.js';
import type { ServerStats } from './nullKinesis.js';

/** A full GC between runs, so that one contender's garbage is not collected on the next one's time. */
export const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** What one run took, and what the endpoint counted. */
export interface Measured {
  readonly recordsPerSecond: number;
  readonly cpuMsPer1000: number;
  readonly elapsedMs: number;
  readonly stats: ServerStats;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no completion after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `run` once on the first `n` events and measures it.
 *
 * @param run - The contender.
 * @param n - Records to send.
 * @param records - The events.
 * @param server - The null endpoint.
 * @param options - Stream, credentials, peer batch size.
 * @param timeoutMs - A run that takes longer fails; none: no limit.
 * @returns Rate, CPU per 1,000 records, wall time and the endpoint's counters.
 */
export async function measure(
  run: Contender,
  n: number,
  records: readonly BenchEvent[],
  server: NullKinesis,
  options: RunOptions,
  timeoutMs?: number,
): Promise<Measured> {
  gc();
  await server.reset();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const running = run(n, records, server.endpoint, options);
  await (timeoutMs === undefined ? running : withTimeout(running, timeoutMs));
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    recordsPerSecond: n / (elapsedMs / 1000),
    cpuMsPer1000: (cpu.user + cpu.system) / 1000 / (n / 1000),
    elapsedMs,
    stats: await server.stats(),
  };
}
