/**
 * A folder a command will write its results to, checked before the work:
 * a conformance run or a day-long simulation must not end in a folder it
 * cannot write (`--reports /proc/nope` used to fail only after RESULT).
 * Creates the folder (as the command would later) and writes and removes a
 * probe file in it.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './usage-error.ts';

export async function requireWritableDir(path: string, flag: string): Promise<void> {
  const why = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  const existing = await stat(path).catch(() => null);
  if (existing && !existing.isDirectory()) throw new UsageError(`${flag} ${path} is a file, not a folder`);
  try {
    await makeFolders(path);
  } catch (error) {
    throw new UsageError(`cannot create ${flag} ${path} (${why(error)}): give a folder you can write`);
  }
  const probe = join(path, `.relaylab-write-check-${process.pid}`);
  try {
    await writeFile(probe, '');
  } catch (error) {
    throw new UsageError(`cannot write to ${flag} ${path} (${why(error)}): give a folder you can write`);
  } finally {
    await rm(probe, { force: true });
  }
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir spins forever under
 * /proc (each level answers ENOENT, and it retries the parent), which is
 * how `--reports /proc/nope` hung.
 */
async function makeFolders(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(path); !(await stat(at).catch(() => null)); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) await mkdir(folder).catch((error: NodeJS.ErrnoException) => createdMeanwhile(folder, error));
}

/** Another run made the same folder between the stat and the mkdir (two runs sharing --out): that is success. */
async function createdMeanwhile(folder: string, error: NodeJS.ErrnoException): Promise<void> {
  if (error.code !== 'EEXIST') throw error;
  if (!(await stat(folder)).isDirectory()) throw error;
}
