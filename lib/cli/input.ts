/**
 * The command's input: `--input FILE` or stdin, and which file it is (so that the failures file
 * is never the input).
 *
 * @module
 */
import { fstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from './args.js';
import { messageOf } from '../shared/errors.js';

/** A file as the system knows it, whatever its name: its device and inode. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** What the command reads. */
export interface Input {
  /** The bytes. */
  readonly stream: Readable;
  /** How messages name it: `'events.ndjson'`, or `stdin`. */
  readonly name: string;
  /** The file it is, when it is one (stdin redirected from a file, a pipe, a terminal); unknown for a stream that has no descriptor. */
  readonly identity: FileIdentity | undefined;
}

/**
 * Whether a file is the input.
 *
 * @param stats - The file's `stat` (links followed).
 * @param input - The input.
 * @returns `true` when both are the same file (same device and inode).
 */
export function isInput(stats: FileIdentity, input: Input): boolean {
  return input.identity !== undefined && stats.dev === input.identity.dev && stats.ino === input.identity.ino;
}

/**
 * The `stat` of a path, links followed; `undefined` when nothing is there.
 *
 * @param path - The path.
 * @returns Its stats, or `undefined` for a path that does not exist.
 */
export async function statIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The identity of stdin, when it has a descriptor. */
function stdinIdentity(stdin: Readable): FileIdentity | undefined {
  const { fd } = stdin as { fd?: unknown };
  if (typeof fd !== 'number') return undefined;
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

/**
 * Opens the input: `--input FILE` now, so that a bad path is a usage error; or stdin.
 *
 * @param path - The `--input` file, or `undefined` for stdin.
 * @param stdin - The process's stdin.
 * @returns The input.
 * @throws {@link UsageError} when the file cannot be read.
 */
export async function openInput(path: string | undefined, stdin: Readable): Promise<Input> {
  if (path === undefined) return { stream: stdin, name: 'stdin', identity: stdinIdentity(stdin) };
  try {
    const handle = await open(path, 'r');
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      await handle.close();
      throw new Error('is a directory');
    }
    return { stream: handle.createReadStream(), name: `'${path}'`, identity: stats };
  } catch (error) {
    throw new UsageError(`--input: cannot read '${path}': ${messageOf(error)}`);
  }
}
