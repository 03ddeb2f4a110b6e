/**
 * The command's settings: the `--config` file's `aws_kinesis` block with the flags laid over it,
 * checked by the pipeline file's loader, every problem named by the flag or the file field it came
 * from.
 *
 * @module
 */
import { DEFAULT_MAX_WAITING, DEFAULT_MAX_WAITING_BYTES, OUTPUT_FLAGS, STDIN, UsageError } from './args.js';
import type { CliArgs } from './args.js';
import { OUTPUT_PATH } from '../pipeline/pipelineFile.js';
import { readPipeline } from './pipelineFile.js';
import { durationToMs, effectiveBatchSize, KinesisConfigError, loadAwsKinesisOutput, MAX_BYTES_PER_REQUEST } from '../index.js';
import type { Duration, ToKinesisConfig } from '../index.js';
import { PositiveInteger } from '../shared/codecs.js';

/** Everything a run needs. */
export interface CliSettings {
  /** The operator's config (with `--concurrency`, `--ordering`, `--max-attempts` as `retry.maxAttempts`, `--request-timeout` as `requestTimeout`), without the per-line callbacks (partition key, serializer) and the backlog. */
  readonly config: ToKinesisConfig<unknown>;
  /** The JSON field holding each line's partition key, if any. */
  readonly partitionField: string | undefined;
  /** Records waiting at which reading pauses (also the hard bound). */
  readonly maxWaiting: number;
  /** Bytes waiting at which reading pauses. */
  readonly maxWaitingBytes: number;
  /** The input file; stdin when absent (`--input -` included). */
  readonly input: string | undefined;
  /** Where failed lines are written, if anywhere. */
  readonly failures: string | undefined;
  /** No progress lines. */
  readonly quiet: boolean;
}

/** A number when the text is one (`'500'`), else the text, so that the check shows what was typed. */
function numeric(text: string): number | string {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** Sets `path` (`'batch.size'`) in an `aws_kinesis` block. */
function setPath(block: Record<string, unknown>, path: string, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) block[head] = value;
  else block[head] = { ...(block[head] as Record<string, unknown> | undefined), [tail]: value };
}

/**
 * Resolves the settings of a run from the command line and the `--config` file.
 *
 * @param args - The parsed flags.
 * @param env - Where `${VAR}` takes its values from.
 * @returns The settings.
 * @throws {@link UsageError} with one line naming every bad flag or field.
 */
export async function resolveCliSettings(args: CliArgs, env: Readonly<Record<string, string | undefined>>): Promise<CliSettings> {
  const block = args.config === undefined ? {} : await readPipeline(args.config, env);
  const fromFlags = new Map<string, string>();
  for (const [path, flag] of Object.entries(OUTPUT_FLAGS)) {
    const value = args[flag];
    if (value === undefined) continue;
    setPath(block, path, path.startsWith('batch.') ? numeric(value) : value);
    fromFlags.set(path, `--${flag}`);
  }
  /** A problem's field path, as the user wrote it: the flag, or the field of the file. */
  const named = (problem: string): string => {
    const colon = problem.indexOf(':');
    const path = problem.slice(0, colon);
    const flag = fromFlags.get(path);
    if (flag !== undefined) return `${flag}${problem.slice(colon)}`;
    if (args.config !== undefined) return `${args.config}: ${OUTPUT_PATH}.${problem}`;
    const wanted = OUTPUT_FLAGS[path as keyof typeof OUTPUT_FLAGS];
    return wanted === undefined ? problem : `--${wanted}${problem.slice(colon)} (or ${OUTPUT_PATH}.${path} in a --config file)`;
  };
  const problems: string[] = [];
  let config: ToKinesisConfig<unknown> = { streamName: '' };
  try {
    config = loadAwsKinesisOutput(block);
  } catch (error) {
    if (!(error instanceof KinesisConfigError)) throw error;
    problems.push(...error.problems.map(named));
  }
  const concurrency = args.concurrency === undefined ? undefined : numeric(args.concurrency);
  const { ordering } = args;
  if (ordering !== undefined && ordering !== 'key' && ordering !== 'none') problems.push(`--ordering: '${ordering}' is not 'key' or 'none'`);
  const maxAttempts = args['max-attempts'] === undefined ? undefined : numeric(args['max-attempts']);
  const requestTimeout = args['request-timeout'] === undefined ? undefined : numeric(args['request-timeout']);
  if (requestTimeout !== undefined && durationToMs(requestTimeout) === undefined) {
    problems.push(`--request-timeout: '${requestTimeout}' is not a duration (250ms, 5s, 1m, or milliseconds; 0 for none)`);
  }
  const maxWaiting = args['max-waiting'] === undefined ? DEFAULT_MAX_WAITING : numeric(args['max-waiting']);
  const maxWaitingBytes = args['max-waiting-bytes'] === undefined ? DEFAULT_MAX_WAITING_BYTES : numeric(args['max-waiting-bytes']);
  for (const [flag, value] of [['--concurrency', concurrency], ['--max-attempts', maxAttempts], ['--max-waiting', maxWaiting], ['--max-waiting-bytes', maxWaitingBytes]] as const) {
    if (value !== undefined && !PositiveInteger.is(value)) problems.push(`${flag}: '${value}' is not a positive integer`);
  }
  const batchSize = effectiveBatchSize(config.batch?.size, config.aggregation);
  if (PositiveInteger.is(maxWaiting) && maxWaiting < batchSize) {
    problems.push(`--max-waiting: ${maxWaiting} is less than the batch size (${batchSize}): no batch could fill`);
  }
  if (PositiveInteger.is(maxWaitingBytes) && maxWaitingBytes < MAX_BYTES_PER_REQUEST) {
    problems.push(`--max-waiting-bytes: ${maxWaitingBytes} is less than one request (${MAX_BYTES_PER_REQUEST}, 5 MiB): no batch could fill`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const { partitionKey, ...rest } = config;
  return {
    config: {
      ...rest,
      ...(concurrency === undefined ? {} : { concurrency: concurrency as number }),
      ...(ordering === undefined ? {} : { ordering: ordering as 'key' | 'none' }),
      ...(maxAttempts === undefined ? {} : { retry: { ...(rest.retry === false ? {} : rest.retry), maxAttempts: maxAttempts as number } }),
      ...(requestTimeout === undefined ? {} : { requestTimeout: requestTimeout as Duration }),
    },
    partitionField: typeof partitionKey === 'string' ? partitionKey : undefined,
    maxWaiting: maxWaiting as number,
    maxWaitingBytes: maxWaitingBytes as number,
    input: args.input === STDIN ? undefined : args.input,
    failures: args.failures,
    quiet: args.quiet === true,
  };
}
