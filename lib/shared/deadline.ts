/**
 * Deadlines: a call abandoned once it has taken too long, whatever it is waiting for (a
 * connection, the first byte of the answer, or the rest of an answer that trickles in).
 *
 * @module
 */

/**
 * The error of a call that had no complete answer within its deadline: named `TimeoutError`, as
 * the SDK names its own timeouts (retryable; the request's fate is unknown).
 *
 * @param timeoutMs - The deadline that passed.
 * @returns The error.
 */
export function deadlineError(timeoutMs: number): Error {
  return Object.assign(new Error(`no complete answer within ${timeoutMs} ms (requestTimeout)`), { name: 'TimeoutError' });
}

/**
 * Makes a call with a signal that aborts when `signal` does, or when `timeoutMs` have passed.
 *
 * @example
 * ```ts
 * const page = await withDeadline((signal) => client.send(command, { abortSignal: signal }), subscriptionSignal, 30_000);
 * ```
 * @param call - Makes the call; it must stop when the signal it is given aborts.
 * @param signal - The caller's signal.
 * @param timeoutMs - The deadline; 0 or `Infinity` for none.
 * @returns What the call returned.
 * @throws A `TimeoutError` ({@link deadlineError}) when the deadline passed first; what the call threw otherwise.
 */
export async function withDeadline<R>(call: (signal: AbortSignal) => Promise<R>, signal: AbortSignal, timeoutMs: number): Promise<R> {
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return call(signal);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let timedOut: Error | undefined;
  const timer = setTimeout(() => {
    timedOut = deadlineError(timeoutMs);
    controller.abort(timedOut);
  }, timeoutMs);
  try {
    return await call(controller.signal);
  } catch (error) {
    throw timedOut !== undefined && !signal.aborted ? timedOut : error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
