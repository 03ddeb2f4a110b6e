#!/usr/bin/env node
/**
 * The `rxjs-kinesis` command: sends each line of stdin (or `--input FILE`) to a Kinesis data
 * stream. `rxjs-kinesis --help` says how.
 *
 * @module
 */
import { Subject } from 'rxjs';
import { runCli } from './run.js';

// Ctrl-C: the first ends the input (what was read is delivered); the next, or the first once the
// input has ended, stops at once and reports (see `CliIo.interrupt`). A third exits without a
// word, in case stopping hangs.
const interrupt = new Subject<void>();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 2) process.exit(130);
  interrupt.next();
});

process.exitCode = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, interrupt });
