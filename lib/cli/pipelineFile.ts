/**
 * The `--config` file: a pipeline configuration with an `aws_kinesis` output, read and checked by
 * the same code as {@link loadAwsKinesisOutput} (`lib/pipeline/`), its problems named by the file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { parsePipelineYaml } from '../pipeline/awsKinesisOutput.js';
import { outputBlockOf } from '../pipeline/pipelineFile.js';
import { isObject } from '../shared/codecs.js';
import { KinesisConfigError, messageOf } from '../shared/errors.js';

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
  const found = outputBlockOf(pipeline);
  if ('problems' in found) throw new UsageError(`${path}: ${found.problems.join('; ')}`);
  return found.block;
}
