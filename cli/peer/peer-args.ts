/**
 * Argument checks shared by the peer-side verbs (peer, connect, ls, get,
 * friends). Each throws `UsageError` (the command line's one user-error
 * type) with one line a user can act on; the CLI prints it with exit 2.
 */
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isValidEmail, normalizeEmail } from '../../reference/shared/email.ts';
import { UsageError } from '../usage-error.ts';
import { ipVersion } from '../../reference/shared/ip.ts';
import { formatDuration, parseDurationMs } from '../../reference/shared/duration.ts';
import { TRY_STRATEGIES, type TryStrategy } from '../../reference/peer/core/try-order.ts';



/** How the relay is trusted, checked once for every verb: --relay-ca FILE (read and checked here) or --insecure. */
export async function relayTrustOf(args: { 'relay-ca'?: string; insecure?: boolean }): Promise<{ relayCaPem?: string; insecure: boolean }> {
  if (!args['relay-ca'] && !args.insecure) throw new UsageError("pass --relay-ca FILE (the relay's certificate, printed when it starts) or --insecure");
  return args['relay-ca'] ? { relayCaPem: await readRelayCaPem(args['relay-ca']), insecure: Boolean(args.insecure) } : { insecure: true };
}

/** The relay certificate a user pins with --relay-ca. */
export async function readRelayCaPem(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read --relay-ca ${path}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--relay-ca ${path} holds no PEM certificate (the relay prints its certificate's path when it starts)`);
  return text;
}

export function requireEmail(text: unknown, flag: string): string {
  const email = typeof text === 'string' ? normalizeEmail(text) : '';
  if (!isValidEmail(email)) throw new UsageError(`${flag} ${JSON.stringify(text)} is not an email address`);
  return email;
}

export function requireDurationMs(text: unknown, flag: string, minMs = 1): number {
  const ms = typeof text === 'string' || typeof text === 'number' ? parseDurationMs(text) : null;
  if (ms === null) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration (examples: 30m, 90s, 250ms, 1800)`);
  if (ms < minMs) throw new UsageError(`${flag} ${JSON.stringify(text)} is shorter than its minimum, ${formatDuration(minMs)}`);
  return ms;
}

export function requirePort(value: unknown, flag: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`${flag} must be a port number 0..65535 (0: let the OS choose)`);
  return value;
}

export function requireIpList(values: unknown, flag: string): string[] {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return list.map((v) => {
    if (typeof v !== 'string' || ipVersion(v) === null) throw new UsageError(`${flag} ${JSON.stringify(v)} is not an IPv4 or IPv6 address`);
    return v;
  });
}

export function requireStrategy(value: unknown): TryStrategy {
  if (!TRY_STRATEGIES.includes(value as TryStrategy)) throw new UsageError(`--strategy must be one of ${TRY_STRATEGIES.join(', ')}`);
  return value as TryStrategy;
}

export async function requireFolder(path: unknown, flag: string): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new UsageError(`${flag} needs a folder`);
  try {
    if ((await stat(path)).isDirectory()) return path;
  } catch {
    throw new UsageError(`${flag} ${path} does not exist`);
  }
  throw new UsageError(`${flag} ${path} is not a folder`);
}

/** Where `relaylab peer` keeps an identity when `--identity-dir` is not given. */
export function defaultIdentityDir(email: string): string {
  return join(homedir(), '.relaylab', 'identities', email);
}
