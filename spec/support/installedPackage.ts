/**
 * The package as a user gets it: packed with `npm pack` (which builds it) and installed, with rxjs,
 * into an empty project in a temporary folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root } from './command.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A temporary project with the packed package installed. */
export interface InstalledPackage {
  /** The project's folder. */
  readonly project: string;
  /** The path of an installed command (`node_modules/.bin/<name>`). */
  bin(name: string): string;
  /** Deletes the project. */
  remove(): Promise<void>;
}

/**
 * Packs the package and installs the tarball (and rxjs 7) into a new project.
 *
 * @param prefix - The start of the temporary folder's name.
 * @returns The project.
 */
export async function installPackedPackage(prefix: string): Promise<InstalledPackage> {
  const project = await mkdtemp(join(tmpdir(), prefix));
  const remove = (): Promise<void> => rm(project, { recursive: true, force: true });
  try {
    await run(npm, ['pack', '--pack-destination', project], { cwd: root });
    const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error('npm pack wrote no tarball');
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`, 'rxjs@7'], { cwd: project });
  } catch (error) {
    await remove();
    throw error;
  }
  return { project, bin: (name) => join(project, 'node_modules', '.bin', name), remove };
}
