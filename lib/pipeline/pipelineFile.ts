/**
 * A whole pipeline file: `input: { stdin: {} }` to `output: { aws_kinesis: {...} }`, the one
 * pipeline this package runs. Anything else in the file (other inputs, processors, other outputs)
 * is refused by name, never ignored.
 *
 * @module
 */
import { isObject } from '../shared/codecs.js';

/** Where the `aws_kinesis` block sits in a pipeline file. */
export const OUTPUT_PATH = 'output.aws_kinesis';

const SUPPORTED = 'supported: input.stdin and output.aws_kinesis';

/**
 * Whether a value is a whole pipeline (it has `input` or `output`) rather than an `aws_kinesis`
 * block on its own.
 *
 * @param value - A parsed pipeline file or block.
 * @returns `true` for a whole pipeline.
 */
export function isPipeline(value: unknown): value is Record<string, unknown> {
  return isObject(value) && ('output' in value || 'input' in value);
}

/** Why each part of a pipeline that is not run here is refused. */
function unsupported(pipeline: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(pipeline)) {
    if (key !== 'input' && key !== 'output') problems.push(`${key}: not supported (${SUPPORTED}; each record is sent as it is, no processors)`);
  }
  const { input, output } = pipeline;
  if (input !== undefined && input !== null) {
    if (!isObject(input)) problems.push(`input: expected { stdin: {} }`);
    else {
      for (const key of Object.keys(input)) {
        if (key !== 'stdin') problems.push(`input.${key}: not supported (${SUPPORTED}; the command reads a file with --input FILE)`);
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
    const block = output['aws_kinesis'];
    if (block === undefined || block === null) problems.push(`${OUTPUT_PATH}: required`);
    else if (!isObject(block)) problems.push(`${OUTPUT_PATH}: expected an object with stream_name, partition_key, ...`);
  }
  return problems;
}

/**
 * The `aws_kinesis` block of a whole pipeline, or why the pipeline cannot be run.
 *
 * @param pipeline - A parsed pipeline file.
 * @returns The block (as written), or every problem with its path in the file.
 */
export function outputBlockOf(pipeline: Record<string, unknown>): { readonly block: Record<string, unknown> } | { readonly problems: readonly string[] } {
  const problems = unsupported(pipeline);
  if (problems.length > 0) return { problems };
  return { block: (pipeline['output'] as Record<string, Record<string, unknown>>)['aws_kinesis']! };
}
