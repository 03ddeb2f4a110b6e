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
import type { LineFailure } from './failures.js';
import { fatalError } from './fatal.js';
import type { FatalError } from './fatal.js';
import { openInput } from './input.js';
import type { Input } from './input.js';
import { isLineItem, LINE, lineItems } from './lineItems.js';
import type { LineItem, LineRefusal } from './lineItems.js';
import type { Line } from './lines.js';
import { Progress } from './progress.js';
import type { Output } from './progress.js';
import { Reading } from './reading.js';
import { resolveCliSettings } from './settings.js';
import type { CliSettings } from './settings.js';
import { SharedPause } from './sharedPause.js';
import { Tally } from './tally.js';
import type { Unresolved } from './tally.js';
import { pauseWhenBusy, TO_KINESIS_DEFAULTS, toKinesis } from '../index.js';
import type { KinesisBatchResult, ToKinesisConfig } from '../index.js';
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

/** The code, in the failures file, of a line whose outcome is unknown because the run was stopped at once. */
export const NO_OUTCOME = 'NoOutcome';

/** The code, in the failures file, of a line not sent because the run stopped at an error that no retry can fix. */
export const NOT_SENT = 'NotSent';

const count = (value: number): string => value.toLocaleString('en-US');

/** The signal an interrupt stands for. */
const signalOf = (value: unknown): NodeJS.Signals => (value === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');

/** Lines in the order of the input. */
const inOrder = (lines: Iterable<Line>): Line[] => [...lines].sort((a, b) => a.number - b.number);

/** Sends every line; resolves with the exit code. */
async function send(settings: CliSettings, input: Input, io: CliIo, interrupts: Observable<unknown>): Promise<number> {
  const maxRecordBytes = settings.config.maxRecordBytes ?? TO_KINESIS_DEFAULTS.maxRecordBytes;
  const reading = new Reading(input, maxRecordBytes);
  const tally = new Tally();
  const progress = new Progress(io.stderr, tally, reading, settings.maxWaiting, settings.maxWaitingBytes);
  // Reading pauses while too much waits, and while the failures file is behind.
  const paused = new SharedPause(reading.pausable);
  const failures = await FailureReport.open(settings.failures, input, (line) => progress.note(line), paused.party());
  const note = (message: string): void => progress.note(`rxjs-kinesis: ${message}`);
  let running = false;
  const pause = pauseWhenBusy(paused.party(), {
    high: settings.maxWaiting,
    low: Math.floor(settings.maxWaiting * RESUME_FRACTION),
    highBytes: settings.maxWaitingBytes,
    lowBytes: Math.floor(settings.maxWaitingBytes * RESUME_FRACTION),
  });
  const prepare = lineItems(settings.partitionField, maxRecordBytes);
  /** Lines handed to the operator that have no outcome yet. */
  const waiting = new Set<Line>();
  /** Counts and reports a line refused before sending; `false`, so that it goes no further. */
  const refuse = (refusal: LineRefusal): false => {
    tally.failedAlone(refusal.errorCode);
    failures.add({ ...refusal, possiblyWritten: false });
    return false;
  };
  const stopNow = new Subject<void>();
  let fatal: FatalError | undefined;
  /** Counts and reports the outcomes of a batch; an error that no retry can fix stops the run at once. */
  const settle = (result: KinesisBatchResult<LineItem>): void => {
    tally.batch(result);
    let stop: FatalError | undefined;
    for (const record of result.records) {
      waiting.delete(record.item[LINE]);
      if (record.status === 'ok') continue;
      const error = fatalError(record);
      stop ??= error;
      // A line failed by an error that ends the run is not shown: one line says why.
      failures.add({ ...record, line: record.item[LINE] }, error === undefined);
    }
    if (stop !== undefined && fatal === undefined) {
      fatal = stop;
      stopNow.next();
    }
  };
  /** Counts the lines handed on that have no outcome (the run stopped at once), and lists them in the failures file; returns how many. */
  const leaveUnresolved = (why: Unresolved, failure: Omit<LineFailure, 'line'>): number => {
    const lines = inOrder(waiting);
    tally.unresolved(why, lines.length);
    for (const line of lines) failures.add({ ...failure, line }, false);
    return lines.length;
  };
  /** Where the failures file lists lines with `code`, for a message. */
  const listedAs = (code: string): string => (settings.failures === undefined ? '' : `; they are in ${settings.failures} as ${code}`);
  const config: ToKinesisConfig<LineItem> = {
    ...settings.config,
    ...(settings.partitionField === undefined ? {} : { partitionKey: settings.partitionField }),
    serialize: (item) => item[LINE].data,
    // While running, the operator's per-batch "not written" warnings would repeat the failure report.
    logger: { warn: (message) => (running ? undefined : note(message)), error: note },
    backlog: {
      // Reading pauses at the bounds, before anything would overflow: a line read just under the
      // bytes bound still fits, so the hard bound on bytes is one record over it.
      maxRecords: settings.maxWaiting,
      maxBytes: settings.maxWaitingBytes + maxRecordBytes,
      onChange: (backlog) => {
        progress.waitingNow(backlog.records, backlog.bytes);
        pause(backlog);
      },
    },
  };
  const operator = toKinesis(config);
  reading.start();
  if (settings.input === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) note('reading lines from the terminal: end with Ctrl-D (or give --input FILE)');
  let signal: NodeJS.Signals | undefined;
  let stoppedAtOnce = false;
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
          filter((prepared): prepared is LineItem => isLineItem(prepared) || refuse(prepared)),
          tap((item) => waiting.add(item[LINE])),
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
        stoppedAtOnce = true;
        stopNow.next();
      });
    });
  } finally {
    watch?.unsubscribe();
    running = false;
    progress.stop();
    reading.close();
  }
  if (fatal !== undefined) {
    const { errorCode, errorMessage, hint } = fatal;
    const errorMessageOfLine = `not sent: the run stopped at ${errorCode} (${hint})`;
    const unsent = leaveUnresolved('notSent', { errorCode: NOT_SENT, errorMessage: errorMessageOfLine, possiblyWritten: false });
    note(`stopped at ${errorCode}: ${errorMessage} (${hint}); ${count(unsent)} records read were not sent${unsent > 0 ? listedAs(NOT_SENT) : ''}`);
  } else if (stoppedAtOnce) {
    const errorMessage = `the run was stopped at once (${signal}) before the outcome was known: it may have been written`;
    const unknown = leaveUnresolved('noOutcome', { errorCode: NO_OUTCOME, errorMessage, possiblyWritten: true });
    note(`${signal}: stopped at once, without waiting for the last batches: ${count(unknown)} records read have no outcome (they may have been written)${unknown > 0 ? listedAs(NO_OUTCOME) : ''}`);
  }
  await failures.close();
  if (inputError !== undefined) note(`cannot read the input: ${messageOf(inputError)}`);
  if (!reading.complete) note(resumeNote(reading.lines));
  io.stderr.write(`${progress.summary()}\n`);
  // An error that ends the run is a configuration error when nothing got through.
  if (fatal !== undefined) return tally.delivered === 0 ? EXIT.usage : EXIT.failed;
  if (signal !== undefined) return signalExitCode(signal);
  return inputError !== undefined || tally.failed > 0 || failures.broken ? EXIT.failed : EXIT.delivered;
}

/** Where to start again after a run that did not read its whole input. */
function resumeNote(lastLine: number): string {
  if (lastLine === 0) return 'stopped before the end of the input, before any line was read: start again from the first line';
  return `stopped before the end of the input: lines 1 to ${count(lastLine)} were read, and each was delivered or reported; resume after line ${count(lastLine)}`;
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
