/**
 * The command's exit codes.
 *
 * @module
 */
import { constants } from 'node:os';

/** Every record delivered; some failed (or the input broke); usage or configuration error. A run stopped by a signal exits {@link signalExitCode}. */
export const EXIT = { delivered: 0, failed: 1, usage: 2 } as const;

/**
 * The exit code of a run stopped by a signal: 128 plus the signal's number, as a shell reports a
 * process that the signal ended (130 for SIGINT, 143 for SIGTERM), so that what started the
 * command (a shell, systemd, Kubernetes) sees that it was stopped.
 *
 * @param signal - The first signal of the run.
 * @returns The exit code.
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
