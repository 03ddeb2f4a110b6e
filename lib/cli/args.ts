/**
 * The command line of `rxjs-kinesis`: its flags (parsed with `util.parseArgs`) and `--help`.
 *
 * @module
 */
import { parseArgs } from 'node:util';

/** A mistake in the command line or the configuration: the command exits 2 with this one-line message. */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
}

/** Records waiting (read, not yet delivered) at which reading pauses, unless `--max-waiting` says otherwise. */
export const DEFAULT_MAX_WAITING = 10_000;

/** Bytes waiting (data plus keys) at which reading pauses, unless `--max-waiting-bytes` says otherwise: 64 MiB. */
export const DEFAULT_MAX_WAITING_BYTES = 64 * 1024 * 1024;

/** The `--input` value that means stdin. */
export const STDIN = '-';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  input: { type: 'string', short: 'i' },
  failures: { type: 'string' },
  'stream-name': { type: 'string' },
  'partition-key': { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'batch-size': { type: 'string' },
  'batch-duration': { type: 'string' },
  concurrency: { type: 'string' },
  ordering: { type: 'string' },
  'request-timeout': { type: 'string' },
  'max-attempts': { type: 'string' },
  'max-waiting': { type: 'string' },
  'max-waiting-bytes': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** The flags that set a field of the `aws_kinesis` output block, by that field's path. */
export const OUTPUT_FLAGS = {
  stream_name: 'stream-name',
  partition_key: 'partition-key',
  region: 'region',
  endpoint_url: 'endpoint-url',
  'batch.size': 'batch-size',
  'batch.duration': 'batch-duration',
} as const;

/** The command line, parsed. Values are as typed; they are checked with the configuration. */
export type CliArgs = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

/** The flags that take a value, by every way they are written (`--input`, `-i`), with their long name. */
const VALUE_FLAGS: ReadonlyMap<string, string> = new Map(
  Object.entries(OPTIONS).flatMap(([name, option]) =>
    option.type !== 'string' ? [] : [[`--${name}`, name], ...('short' in option ? [[`-${option.short}`, name] as const] : [])],
  ),
);

/**
 * The arguments with a flag's value that starts with a dash and a digit (`--concurrency -1`)
 * joined to its flag (`--concurrency=-1`): `parseArgs` would take it for a flag and say that the
 * argument is ambiguous; joined, it is checked as a number, and refused as one.
 */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const name = VALUE_FLAGS.get(argv[index]!);
    const value = argv[index + 1];
    if (name !== undefined && value !== undefined && /^-\d/.test(value)) {
      joined.push(`--${name}=${value}`);
      index += 1;
    } else {
      joined.push(argv[index]!);
    }
  }
  return joined;
}

/**
 * Parses the command line.
 *
 * @param argv - The arguments after the command name.
 * @returns The flags given.
 * @throws {@link UsageError} for an unknown flag, a missing value or an argument that is not a flag.
 */
export function parseCommandLine(argv: readonly string[]): CliArgs {
  try {
    return parseArgs({ args: joinNegativeNumbers(argv), options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
}

/** What `--help` prints. */
export const USAGE = `Usage: rxjs-kinesis [--config pipeline.yaml] [options] [--input FILE]

Sends each line of stdin (or of --input FILE) to a Kinesis data stream, as one record,
byte for byte, and reports what was delivered and what failed.

Options (a flag overrides the same setting of --config):
  -c, --config FILE         pipeline YAML with an aws_kinesis output:
                              input: { stdin: {} }
                              output: { aws_kinesis: { stream_name, partition_key, region,
                                endpoint_url, credentials, batch: { size, duration } } }
                            \${VAR} in its values is replaced by the environment variable
  -i, --input FILE          read FILE instead of stdin (- is stdin)
      --stream-name NAME    the stream (required here or in --config)
      --partition-key FIELD the JSON field whose value is each record's partition key
                            (order_id, customer.id); default: a random UUID per record
      --region REGION       AWS region (default: AWS_REGION, the profile)
      --endpoint-url URL    a local Kinesis (http://localhost:4566); default: AWS
      --batch-size N        records per PutRecords request, at most 500 (default 500)
      --batch-duration D    longest wait for a batch to fill: 250ms, 5s, or ms (default 5s)
      --concurrency N       PutRecords requests in flight at once (default 1: in order)
      --ordering key        lines with the same partition key land in the order read,
                            whatever is retried, with any --concurrency (default none)
      --request-timeout D   longest wait for one request's complete answer, then it counts
                            as a failed attempt (TimeoutError, retried): 10s, 500ms, or ms;
                            0 for none (default 30s)
      --max-attempts N      attempts per record, the first included (default 10; 1: no retry)
      --max-waiting N       records read but not yet delivered at which reading pauses
                            (default ${DEFAULT_MAX_WAITING}); with the next flag, bounds memory
      --max-waiting-bytes N the same in bytes, data plus keys (default ${DEFAULT_MAX_WAITING_BYTES}: 64 MiB)
      --failures FILE       write every line not delivered as NDJSON, with its text:
                            {"line":7,"errorCode":"...","errorMessage":"...","data":"..."}
  -q, --quiet               no progress lines (the summary and errors are still printed)
  -h, --help                this help
      --version             the version

Credentials: credentials.* in --config, or the standard AWS chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance and container roles).

Ctrl-C or SIGTERM stops reading; every line read is delivered or reported, then the command
exits. A second one stops at once. The summary says where to resume.

An error that no retry can fix (no such stream, access denied, no credentials, nothing at the
endpoint) ends the run at once; the lines read and not sent are counted, and listed as NotSent.

Exit codes: 0 every record delivered; 1 some records failed (or the input could not be read);
2 usage or configuration error (or an error that ended the run before anything was delivered);
130 stopped by SIGINT (Ctrl-C); 143 stopped by SIGTERM.
`;
