/**
 * One run of the command: lines in, `toKinesis`, outcomes counted and reported, an exit code out.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { filter, map, ReplaySubject, Subject, takeUntil, tap } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { parseCommandLine, UsageError, USAGE } from './args.js';
import { FailureReport } from './failures.js';
import { openInput } from './input.js';
import type { Input } from './input.js';
import { isLineItem, LINE, lineItems } from './lineItems.js';
import type { LineItem, LineRefusal } from './lineItems.js';
import { LineSplitter } from './lines.js';
import type { Line } from './lines.js';
import { Progress } from './progress.js';
import type { Output } from './progress.js';
import { resolveCliSettings } from './settings.js';
import type { CliSettings } from './settings.js';
import { SharedPause } from './sharedPause.js';
import { fromReadable, pauseWhenBusy, TO_KINESIS_DEFAULTS, toKinesis } from '../index.js';
import type { ToKinesisConfig } from '../index.js';
import { messageOf } from '../shared/errors.js';

/** The exit codes: every record delivered; some failed (or the input broke); usage or configuration error; interrupted. */
export const EXIT = { delivered: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** What the command works with: the process's streams and environment, or stand-ins. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Emits when the user asks to stop (Ctrl-C): reading stops, what was read is delivered. Once the
   * input has ended (or at a second one), the run stops at once, without waiting for the last
   * batches, and reports what it knows. Listened to from the start of the run.
   */
  readonly interrupt?: Observable<unknown>;
}

/** Reading resumes when what waits is down to this fraction of both bounds (or when only the open batch waits). */
const RESUME_FRACTION = 0.2;

/** Sends every line; resolves with the exit code. */
async function send(settings: CliSettings, input: Input, io: CliIo, interrupts: Observable<unknown>): Promise<number> {
  const maxRecordBytes = settings.config.maxRecordBytes ?? TO_KINESIS_DEFAULTS.maxRecordBytes;
  const lines = new LineSplitter(maxRecordBytes);
  const progress = new Progress(io.stderr, () => lines.lines, settings.maxWaiting, settings.maxWaitingBytes);
  // Reading pauses while too much waits, and while the failures file is behind.
  const reading = new SharedPause(lines);
  const failures = await FailureReport.open(settings.failures, input, (line) => progress.note(line), reading.party());
  const note = (message: string): void => progress.note(`rxjs-kinesis: ${message}`);
  let running = false;
  const pause = pauseWhenBusy(reading.party(), {
    high: settings.maxWaiting,
    low: Math.floor(settings.maxWaiting * RESUME_FRACTION),
    highBytes: settings.maxWaitingBytes,
    lowBytes: Math.floor(settings.maxWaitingBytes * RESUME_FRACTION),
  });
  const prepare = lineItems(settings.partitionField, maxRecordBytes);
  /** Counts and reports a line refused before sending; `false`, so that it goes no further. */
  const refuse = (refusal: LineRefusal): false => {
    progress.failedAlone(refusal.errorCode);
    failures.add({ ...refusal, possiblyWritten: false });
    return false;
  };
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
  pipeline(input.stream, lines, () => undefined); // an input error reaches `lines`, whose error ends the run
  if (settings.input === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) note('reading lines from the terminal: end with Ctrl-D (or give --input FILE)');
  const stopReading = new Subject<void>();
  let inputOpen = true;
  let read = 0;
  let interrupted = false;
  let stoppedAtOnce = false;
  let inputError: unknown;
  let watch: Subscription | undefined;
  running = true;
  if (!settings.quiet) progress.start();
  try {
    await new Promise<void>((done) => {
      const run = fromReadable<Line>(lines)
        .pipe(
          takeUntil(stopReading),
          tap({ next: () => (read += 1), complete: () => (inputOpen = false) }),
          map(prepare),
          // A line that cannot be sent at all is reported here; the others go on as items.
          filter((prepared): prepared is LineItem => isLineItem(prepared) || refuse(prepared)),
          operator,
          tap((result) => {
            progress.add(result);
            for (const record of result.records) if (record.status === 'failed') failures.add({ ...record, line: record.item[LINE] });
          }),
        )
        .subscribe({ error: (error: unknown) => ((inputError = error), done()), complete: done });
      // A Ctrl-C ends the input (complete: what was read is delivered); one after the input has
      // ended stops at once (unsubscribe: no more waiting for retries). Those given while the run
      // was starting come now.
      watch = interrupts.subscribe(() => {
        if (inputOpen) {
          if (!interrupted) note('interrupted: delivering what was read, then stopping (Ctrl-C again to stop at once)');
          interrupted = true;
          stopReading.next();
          return;
        }
        interrupted = true;
        stoppedAtOnce = true;
        run.unsubscribe();
        done();
      });
    });
  } finally {
    watch?.unsubscribe();
    running = false;
    progress.stop();
  }
  if (stoppedAtOnce) {
    const unknown = read - progress.delivered - progress.failed;
    note(`interrupted: stopped at once, without waiting for the last batches; records read with no outcome: ${unknown.toLocaleString('en-US')} (some may have been written)`);
  }
  await failures.close();
  if (inputError !== undefined) note(`cannot read the input: ${messageOf(inputError)}`);
  io.stderr.write(`${progress.summary()}\n`);
  if (interrupted) return EXIT.interrupted;
  return inputError !== undefined || progress.failed > 0 || failures.broken ? EXIT.failed : EXIT.delivered;
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
 * @returns The exit code: 0 every record delivered, 1 some failed, 2 usage or configuration error, 130 interrupted.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Every Ctrl-C from the start: one given while the settings are read is not lost.
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
