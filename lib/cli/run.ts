/**
 * One run of the command: lines in, `toKinesis`, outcomes counted and reported, an exit code out.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { filter, map, ReplaySubject, Subject, takeUntil, tap } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { parseCommandLine, UsageError, USAGE } from './args.js';
import { EXIT, signalExitCode } from './exitCodes.js';
import { FailureReport } from './failures.js';
import type { FatalError } from './fatal.js';
import { openInput } from './input.js';
import type { Input } from './input.js';
import { isLineItem, LINE, lineItems } from './lineItems.js';
import type { LineItem } from './lineItems.js';
import { NO_OUTCOME, NOT_SENT, Outcomes } from './outcomes.js';
import { formatCount, Progress } from './progress.js';
import type { Output } from './progress.js';
import { Reading } from './reading.js';
import { resolveCliSettings } from './settings.js';
import type { CliSettings } from './settings.js';
import { SharedPause } from './sharedPause.js';
import { Tally } from './tally.js';
import { pauseWhenBusy, TO_KINESIS_DEFAULTS, toKinesis } from '../index.js';
import type { Backlog, KinesisBatchResult, Logger, ToKinesisConfig } from '../index.js';
import { messageOf } from '../shared/errors.js';

/** What the command works with: the process's streams and environment, or stand-ins. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Emits a signal's name when one asks the command to stop (`SIGINT`, `SIGTERM`; anything else
   * counts as `SIGINT`). The first one stops reading: the lines read are delivered. Once the
   * input has ended (or at a second one), the run stops at once, without waiting for the last
   * batches, and reports what it knows. Listened to from the start of the run.
   */
  readonly interrupt?: Observable<unknown>;
}

/** Reading resumes when what waits is down to this fraction of both bounds (or when only the open batch waits). */
const RESUME_FRACTION = 0.2;

/** The signal an interrupt stands for. */
const signalOf = (value: unknown): NodeJS.Signals => (value === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');

/**
 * The operator's config for the lines: the settings, each line's key (at its field path on the
 * line's item) and bytes, and the bound on what waits.
 *
 * @param settings - The run's settings.
 * @param maxRecordBytes - The record limit.
 * @param logger - Where the operator's warnings go (while running, its per-batch "not written" warnings would repeat the failure report).
 * @param onBacklog - Follows what waits (progress, and reading's pause).
 * @returns The config.
 */
function lineConfig(settings: CliSettings, maxRecordBytes: number, logger: Partial<Logger>, onBacklog: (backlog: Backlog) => void): ToKinesisConfig<LineItem> {
  return {
    ...settings.config,
    ...(settings.partitionField === undefined ? {} : { partitionKey: settings.partitionField }),
    serialize: (item) => item[LINE].data,
    logger,
    backlog: {
      // Reading pauses at the bounds, before anything would overflow: a line read just under the
      // bytes bound still fits, so the hard bound on bytes is one record over it.
      maxRecords: settings.maxWaiting,
      maxBytes: settings.maxWaitingBytes + maxRecordBytes,
      onChange: onBacklog,
    },
  };
}

/** Why a run stopped at once: an error that no retry can fix, or a signal. */
type StopAtOnce = { readonly fatal: FatalError } | { readonly signal: NodeJS.Signals };

/**
 * Counts and lists the lines read that a stop at once left without an outcome, and says so.
 *
 * @param stop - Why the run stopped at once.
 * @param outcomes - The outcomes of the run's lines.
 * @param failuresFile - The `--failures` file, if any.
 * @returns The line that says so (without the command's name).
 */
function stopNote(stop: StopAtOnce, outcomes: Outcomes, failuresFile: string | undefined): string {
  const listedAs = (code: string, lines: number): string => (failuresFile === undefined || lines === 0 ? '' : `; they are in ${failuresFile} as ${code}`);
  if ('fatal' in stop) {
    const { errorCode, errorMessage, hint } = stop.fatal;
    const unsent = outcomes.leaveUnresolved('notSent', { errorCode: NOT_SENT, errorMessage: `not sent: the run stopped at ${errorCode} (${hint})`, possiblyWritten: false });
    return `stopped at ${errorCode}: ${errorMessage} (${hint}); ${formatCount(unsent)} records read were not sent${listedAs(NOT_SENT, unsent)}`;
  }
  const errorMessage = `the run was stopped at once (${stop.signal}) before the outcome was known: it may have been written`;
  const unknown = outcomes.leaveUnresolved('noOutcome', { errorCode: NO_OUTCOME, errorMessage, possiblyWritten: true });
  return `${stop.signal}: stopped at once, without waiting for the last batches: ${formatCount(unknown)} records read have no outcome (they may have been written)${listedAs(NO_OUTCOME, unknown)}`;
}

/** Sends every line; resolves with the exit code. */
async function send(settings: CliSettings, input: Input, io: CliIo, interrupts: Observable<unknown>): Promise<number> {
  // Neither the flags nor the pipeline file set maxRecordBytes: the default (a number, never 'stream').
  const maxRecordBytes = typeof settings.config.maxRecordBytes === 'number' ? settings.config.maxRecordBytes : TO_KINESIS_DEFAULTS.maxRecordBytes;
  const reading = new Reading(input, maxRecordBytes);
  const tally = new Tally();
  const progress = new Progress(io.stderr, tally, reading, settings.maxWaiting, settings.maxWaitingBytes);
  // Reading pauses while too much waits, and while the failures file is behind.
  const paused = new SharedPause(reading.pausable);
  const failures = await FailureReport.open(settings.failures, input, (line) => progress.note(line), paused.party()).catch((error: unknown) => {
    reading.close(); // refused before reading: the input is closed unread
    throw error;
  });
  const note = (message: string): void => progress.note(`rxjs-kinesis: ${message}`);
  let running = false;
  const pause = pauseWhenBusy(paused.party(), {
    high: settings.maxWaiting,
    low: Math.floor(settings.maxWaiting * RESUME_FRACTION),
    highBytes: settings.maxWaitingBytes,
    lowBytes: Math.floor(settings.maxWaitingBytes * RESUME_FRACTION),
  });
  const prepare = lineItems(settings.partitionField, maxRecordBytes);
  const outcomes = new Outcomes(tally, failures);
  const stopNow = new Subject<void>();
  let stopped: StopAtOnce | undefined;
  /** Stops the run at once (unsubscribing: the requests in flight are abandoned); the first reason counts. */
  const stopAtOnce = (why: StopAtOnce): void => {
    if (stopped !== undefined) return;
    stopped = why;
    stopNow.next();
  };
  /** Counts and reports the outcomes of a batch; an error that no retry can fix stops the run at once. */
  const settle = (result: KinesisBatchResult<LineItem>): void => {
    const fatal = outcomes.settle(result);
    if (fatal !== undefined) stopAtOnce({ fatal });
  };
  const operator = toKinesis(
    lineConfig(settings, maxRecordBytes, { warn: (message) => (running ? undefined : note(message)), error: note }, (backlog) => {
      progress.waitingNow(backlog.records, backlog.bytes);
      pause(backlog);
    }),
  );
  reading.start();
  if (settings.input === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) note('reading lines from the terminal: end with Ctrl-D (or give --input FILE)');
  let signal: NodeJS.Signals | undefined;
  let inputError: unknown;
  let watch: Subscription | undefined;
  running = true;
  if (!settings.quiet) progress.start();
  try {
    await new Promise<void>((done) => {
      reading.lines$
        .pipe(
          map(prepare),
          // A line that cannot be sent at all is reported here; the others go on as items.
          filter((prepared): prepared is LineItem => isLineItem(prepared) || outcomes.refuse(prepared)),
          tap((item) => outcomes.handOn(item)),
          operator,
          tap(settle),
          takeUntil(stopNow),
        )
        .subscribe({ error: (error: unknown) => ((inputError = error), done()), complete: done });
      // The first signal stops reading (the lines read are delivered, then the run completes);
      // one after the lines have ended stops at once (no more waiting for retries). Those given
      // while the run was starting come now.
      watch = interrupts.subscribe((value) => {
        const received = signalOf(value);
        const first = signal === undefined;
        signal ??= received;
        if (first && !reading.ended) {
          note(`${received}: reading stopped; delivering the lines read, then stopping (a second SIGINT or SIGTERM stops at once)`);
          reading.stop();
          return;
        }
        stopAtOnce({ signal: received });
      });
    });
  } finally {
    watch?.unsubscribe();
    running = false;
    progress.stop();
    reading.close();
  }
  if (stopped !== undefined) note(stopNote(stopped, outcomes, settings.failures));
  await failures.close();
  if (inputError !== undefined) note(`cannot read the input: ${messageOf(inputError)}`);
  if (!reading.complete) note(resumeNote(reading.lines));
  io.stderr.write(`${progress.summary()}\n`);
  // An error that ends the run is a configuration error when nothing got through.
  if (stopped !== undefined && 'fatal' in stopped) return tally.delivered === 0 ? EXIT.usage : EXIT.failed;
  if (signal !== undefined) return signalExitCode(signal);
  return inputError !== undefined || tally.failed > 0 || failures.broken ? EXIT.failed : EXIT.delivered;
}

/** Where to start again after a run that did not read its whole input. */
function resumeNote(lastLine: number): string {
  if (lastLine === 0) return 'stopped before the end of the input, before any line was read: start again from the first line';
  return `stopped before the end of the input: lines 1 to ${formatCount(lastLine)} were read, and each was delivered or reported; resume after line ${formatCount(lastLine)}`;
}

/** The version in package.json (two folders up, from `lib/cli/` and from `dist/cli/` alike). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Runs the command.
 *
 * @param argv - The arguments after the command name.
 * @param io - Its streams and environment.
 * @returns The exit code: 0 every record delivered, 1 some failed, 2 usage or configuration error, 128 + the signal's number when stopped by a signal (130 SIGINT, 143 SIGTERM).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Every signal from the start: one given while the settings are read is not lost.
  const interrupts = new ReplaySubject<unknown>();
  const listening = io.interrupt?.subscribe((value) => interrupts.next(value));
  try {
    const args = parseCommandLine(argv);
    if (args.help === true) {
      io.stdout.write(USAGE);
      return EXIT.delivered;
    }
    if (args.version === true) {
      io.stdout.write(`${version()}\n`);
      return EXIT.delivered;
    }
    const settings = await resolveCliSettings(args, io.env);
    return await send(settings, await openInput(settings.input, io.stdin), io, interrupts);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`rxjs-kinesis: ${error.message}\n`);
    return EXIT.usage;
  } finally {
    listening?.unsubscribe();
  }
}
