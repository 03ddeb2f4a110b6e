#!/usr/bin/env node
/**
 * The `rxjs-kinesis` command: sends each line of stdin (or `--input FILE`) to a Kinesis data
 * stream. `rxjs-kinesis --help` says how.
 *
 * @module
 */
import { Subject } from 'rxjs';
import { signalExitCode } from './exitCodes.js';

// The AWS SDK prints a nine-line NodeVersionSupportWarning (Node 20 is near its end of support
// for the SDK) when the first client is made, in every run. The SDK's own switch turns that one
// warning off; every other warning is still printed. A user who set the switch keeps their value.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

// SIGINT (Ctrl-C) and SIGTERM (docker stop, Kubernetes, systemd) alike: the first stops reading
// (the lines read are delivered); the next, or the first once the input has ended, stops at once
// and reports (see `CliIo.interrupt`). A third exits without a word, in case stopping hangs, with
// the exit code of the first.
const interrupt = new Subject<NodeJS.Signals>();
const received: NodeJS.Signals[] = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    received.push(signal);
    if (received.length > 2) process.exit(signalExitCode(received[0]!));
    interrupt.next(signal);
  });
}

// Loaded after the switch is set, so that nothing of the SDK runs before it.
const { runCli } = await import('./run.js');

process.exitCode = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, interrupt });
