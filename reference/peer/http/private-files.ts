/**
 * What the Peer Server must never list or serve, decided without ever
 * opening anything but a regular file:
 *
 * - configured private paths (identity folder, friends list and statuses),
 *   compared by real path at request time, so a file created after start
 *   or reached through a symlinked root still matches;
 * - anything under a `.relaylab` folder;
 * - key stores by name (`key.pem`, `*-key.pem`, `*.key`, `.ppk`, `.p12`,
 *   `.pfx`, `.jks`, `.keystore`);
 * - small text files holding a private key block anywhere in them (a
 *   certificate followed by its key, as nginx and HAProxy expect).
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isInside } from './safe-path.ts';

export const RELAYLAB_FOLDER = '.relaylab';
/** Text files up to this size are scanned whole for a key block; a PEM bundle is a few KiB. */
export const KEY_SCAN_MAX_BYTES = 2 * 1024 * 1024;
/** A NUL byte in this much of the head marks a binary file: no PEM inside, no need to read on. */
const BINARY_SNIFF_BYTES = 8 * 1024;
const PRIVATE_KEY_TEXT = [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, /^PuTTY-User-Key-File-\d+:/m];
const KEY_STORE_SUFFIXES = ['.key', '-key.pem', '.ppk', '.p12', '.pfx', '.jks', '.keystore'];

/** Private by name alone (any case). */
export function isPrivateKeyName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'key.pem' || KEY_STORE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/**
 * The real path `path` has or will have once created: the nearest existing
 * ancestor's real path plus the rest. realpath() alone fails for a friends
 * file not saved yet, and resolve() would keep a symlinked root's name.
 */
export async function realOrFuture(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await realOrFuture(parent), basename(absolute));
  }
}

/** Resolved per request: any of these folders may be created or re-linked while the server runs. */
export function resolvePrivatePaths(paths: readonly string[]): Promise<string[]> {
  return Promise.all(paths.map(realOrFuture));
}

/** Private by where it is: no file access, so safe for FIFOs and devices too. */
export function isPrivateByPath(rootReal: string, privateReal: readonly string[], real: string): boolean {
  if (privateReal.some((p) => isInside(p, real) || isSaveInProgress(p, real))) return true;
  if (relative(rootReal, real).split(sep).includes(RELAYLAB_FOLDER)) return true;
  return isPrivateKeyName(basename(real));
}

/** friends-file.ts saves through `<file>.<pid>.<n>.tmp` then renames: that copy is just as private. */
function isSaveInProgress(privateReal: string, real: string): boolean {
  return dirname(real) === dirname(privateReal) && basename(real).startsWith(`${basename(privateReal)}.`) && real.endsWith('.tmp');
}

/**
 * Opens a file already known (by stat) to be regular, and checks again on
 * the open descriptor: if it was swapped for a FIFO in between, O_NONBLOCK
 * keeps open() from waiting for a writer forever. Null when not regular.
 */
export async function openRegular(real: string): Promise<{ handle: FileHandle; size: number; mtimeMs: number } | null> {
  const handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  const info = await handle.stat().catch(() => null);
  if (info?.isFile()) return { handle, size: info.size, mtimeMs: info.mtimeMs };
  await handle.close();
  return null;
}

/** Whether an open regular file holds a private key block anywhere in its (bounded) text. */
export async function holdsPrivateKey(handle: FileHandle, size: number): Promise<boolean> {
  const head = await readAt(handle, 0, Math.min(size, BINARY_SNIFF_BYTES));
  if (head.includes(0)) return false;
  // Past the bound only the head is judged: a key file is never that big, a log that quotes one may be.
  const whole = size > head.length && size <= KEY_SCAN_MAX_BYTES;
  const text = whole ? Buffer.concat([head, await readAt(handle, head.length, size - head.length)]) : head;
  const latin1 = text.toString('latin1');
  return PRIVATE_KEY_TEXT.some((pattern) => pattern.test(latin1));
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break; // the file shrank meanwhile
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
