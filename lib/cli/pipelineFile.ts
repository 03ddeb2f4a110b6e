/**
 * The `--config` file: a pipeline configuration with an `aws_kinesis` output. The command runs one pipeline only,
 * `input: { stdin: {} }` to `output: { aws_kinesis: {...} }`; anything else in the file is refused
 * by name, never ignored.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { parsePipelineYaml } from '../pipeline/awsKinesisOutput.js';
import { isObject } from '../shared/codecs.js';
import { KinesisConfigError, messageOf } from '../shared/errors.js';

/** Where the `aws_kinesis` block sits in a pipeline file. */
export const OUTPUT_PATH = 'output.aws_kinesis';

const SUPPORTED = 'supported: input.stdin and output.aws_kinesis';

/** Why each part of a pipeline that this command does not run is refused. */
function unsupported(pipeline: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(pipeline)) {
    if (key !== 'input' && key !== 'output') problems.push(`${key}: not supported (${SUPPORTED}; each line is sent as it is, no processors)`);
  }
  const { input, output } = pipeline;
  if (input !== undefined && input !== null) {
    if (!isObject(input)) problems.push(`input: expected { stdin: {} }`);
    else {
      for (const key of Object.keys(input)) {
        if (key !== 'stdin') problems.push(`input.${key}: not supported (${SUPPORTED}; use --input FILE to read a file)`);
      }
      const stdin = input['stdin'];
      if (isObject(stdin)) for (const key of Object.keys(stdin)) problems.push(`input.stdin.${key}: not supported (input.stdin takes no settings: one record per line)`);
      else if (stdin !== undefined && stdin !== null) problems.push('input.stdin: expected {}');
    }
  }
  if (!isObject(output)) problems.push(`output: ${output === undefined || output === null ? 'required' : 'expected an object'}: { aws_kinesis: { stream_name, ... } }`);
  else {
    for (const key of Object.keys(output)) {
      if (key !== 'aws_kinesis') problems.push(`output.${key}: not supported (${SUPPORTED})`);
    }
    if (output['aws_kinesis'] === undefined) problems.push(`${OUTPUT_PATH}: required`);
  }
  return problems;
}

/**
 * Reads a pipeline file, replaces its `${VAR}`s, refuses what this command does not run, and
 * returns its `aws_kinesis` block (checked later, with the flags laid over it).
 *
 * @param path - The file.
 * @param env - Where `${VAR}` takes its values from.
 * @returns The `output.aws_kinesis` block, as written (after interpolation).
 * @throws {@link UsageError} naming the file and every bad field.
 */
export async function readPipeline(path: string, env: Readonly<Record<string, string | undefined>>): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--config: cannot read '${path}': ${messageOf(error)}`);
  }
  let pipeline: unknown;
  try {
    pipeline = parsePipelineYaml(text, { env });
  } catch (error) {
    if (error instanceof KinesisConfigError) throw new UsageError(`${path}: ${error.problems.join('; ')}`);
    throw error;
  }
  if (!isObject(pipeline)) throw new UsageError(`${path}: expected a pipeline (input: { stdin: {} }, output: { aws_kinesis: {...} })`);
  const problems = unsupported(pipeline);
  if (problems.length > 0) throw new UsageError(`${path}: ${problems.join('; ')}`);
  const block = (pipeline['output'] as Record<string, unknown>)['aws_kinesis'];
  if (!isObject(block)) throw new UsageError(`${path}: ${OUTPUT_PATH}: expected an object with stream_name, partition_key, ...`);
  return block;
}
