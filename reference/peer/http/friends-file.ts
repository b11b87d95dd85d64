/**
 * The friends list on disk (`--friends FILE`): friend emails with the last
 * socket that worked for each, so restarts try it first. And the status
 * file the `friends` command reads (`<identity-dir>/friends-status.json`),
 * which stays on this machine: the Peer Server never serves it.
 *
 * Writes go to a temporary file and are renamed into place, so a crash
 * mid-write never leaves a half file. A malformed file is an error that
 * names the file, never silently replaced (that would lose the list).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidEmail, normalizeEmail } from '../../shared/email.ts';
import { ipVersion } from '../../shared/ip.ts';
import { UserInputError } from '../../shared/user-input-error.ts';
import type { CachedSocket, FriendEntry, FriendState } from '../core/friends-monitor.ts';

export const FRIENDS_STATUS_FILE = 'friends-status.json';

export class FriendsFileError extends UserInputError {
  readonly code = 'friends_file_invalid';
}

export interface FriendsStatusFile {
  updatedAt: string;
  friends: FriendState[];
}

/** Reads the list; a missing file is an empty list (it is created on first save). */
export async function loadFriendsFile(path: string): Promise<FriendEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FriendsFileError(`cannot read friends file ${path}: ${(error as Error).message}`);
  }
  return parseFriends(text, path);
}

export function parseFriends(text: string, path: string): FriendEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FriendsFileError(`${path} is not JSON; expected {"friends": [{"email": "..."}]}`);
  }
  const list = (data as { friends?: unknown } | null)?.friends;
  if (!Array.isArray(list)) throw new FriendsFileError(`${path}: expected {"friends": [...]}`);
  const seen = new Set<string>();
  const out: FriendEntry[] = [];
  list.forEach((item: unknown, index) => {
    const raw = typeof item === 'string' ? item : (item as { email?: unknown } | null)?.email;
    if (typeof raw !== 'string' || !isValidEmail(normalizeEmail(raw))) throw new FriendsFileError(`${path}: friends[${index}] has no valid email`);
    const email = normalizeEmail(raw);
    if (seen.has(email)) return;
    seen.add(email);
    out.push({ email, lastGood: readSocket((item as { lastGood?: unknown })?.lastGood) });
  });
  return out;
}

function readSocket(value: unknown): CachedSocket | null {
  const v = value as { address?: unknown; port?: unknown } | null | undefined;
  if (!v || typeof v.address !== 'string' || ipVersion(v.address) === null) return null;
  if (typeof v.port !== 'number' || !Number.isInteger(v.port) || v.port < 1 || v.port > 65535) return null;
  return { address: v.address, port: v.port };
}

export async function saveFriendsFile(path: string, friends: readonly FriendEntry[]): Promise<void> {
  const body = { friends: friends.map((f) => ({ email: f.email, lastGood: f.lastGood })) };
  await writeAtomically(path, `${JSON.stringify(body, null, 2)}\n`);
}

export async function saveFriendsStatus(identityDir: string, friends: readonly FriendState[], nowMs: number): Promise<void> {
  const body: FriendsStatusFile = { updatedAt: new Date(nowMs).toISOString(), friends: [...friends] };
  await writeAtomically(join(identityDir, FRIENDS_STATUS_FILE), `${JSON.stringify(body, null, 2)}\n`);
}

export async function loadFriendsStatus(identityDir: string): Promise<FriendsStatusFile | null> {
  try {
    return JSON.parse(await readFile(join(identityDir, FRIENDS_STATUS_FILE), 'utf8')) as FriendsStatusFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new FriendsFileError(`cannot read ${join(identityDir, FRIENDS_STATUS_FILE)}: ${(error as Error).message}`);
  }
}

let tmpCounter = 0;
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
