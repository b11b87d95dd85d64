/**
 * A certificate renewal on disk (SPEC EXT-1). The relay swaps certificates
 * at once, so a peer that lost its new key after the relay took the new
 * certificate would be locked out of its email for good. Hence the order:
 *
 *   1. the new pair is written to DIR/renewal/ (both files: not yet confirmed);
 *   2. the relay is asked to take it;
 *   3. only after it did, the files move over DIR/key.pem and DIR/cert.pem,
 *      key first (one file left in DIR/renewal/: confirmed, half moved).
 *
 * At start-up `pendingRenewal` tells which state a crash left behind:
 * both files (ask the relay which certificate it holds), the certificate
 * alone (finish the move), the key alone (step 1 was cut short: discard),
 * none.
 */
import { chmod, mkdir, open, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectCertificate } from './inspect.ts';
import type { KeyType } from './certificate-builder.ts';
import { BACKDATE_MS, CERT_FILE, KEY_FILE, newPeerIdentity, type Identity } from './identity-files.ts';

export const RENEWAL_FOLDER = 'renewal';

/** A new key pair of the same type, for the same email, valid as long as the old certificate was. */
export function renewedIdentity(old: Identity, nowMs: number): { identity: Identity; notBeforeMs: number; notAfterMs: number } {
  const facts = inspectCertificate(old.certificatePem);
  const lifetimeMs = facts.notAfterMs - facts.notBeforeMs;
  const validForMs = Math.max(BACKDATE_MS, lifetimeMs - BACKDATE_MS);
  const identity = newPeerIdentity(old.email, nowMs, keyTypeOf(facts.keyType), validForMs);
  const fresh = inspectCertificate(identity.certificatePem);
  return { identity, notBeforeMs: fresh.notBeforeMs, notAfterMs: fresh.notAfterMs };
}

/** The validity window of an identity's certificate. */
export function windowOf(identity: Identity): { notBeforeMs: number; notAfterMs: number } {
  const facts = inspectCertificate(identity.certificatePem);
  return { notBeforeMs: facts.notBeforeMs, notAfterMs: facts.notAfterMs };
}

function keyTypeOf(nodeKeyType: string): KeyType {
  if (nodeKeyType === 'ed25519') return 'ed25519';
  if (nodeKeyType === 'rsa' || nodeKeyType === 'rsa-pss') return 'rsa-2048';
  return 'ecdsa-p256';
}

/** Step 1: the new pair, written before the relay is asked. Replaces an older pending pair. */
export async function writePendingRenewal(dir: string, identity: Identity): Promise<void> {
  const folder = join(dir, RENEWAL_FOLDER);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // Each file whole or not at all (written aside, flushed, renamed), key first: a crash leaves no half file.
  await writeDurably(join(folder, KEY_FILE), identity.privateKeyPem, 0o600);
  await writeDurably(join(folder, CERT_FILE), identity.certificatePem, 0o644);
}

async function writeDurably(path: string, text: string, mode: number): Promise<void> {
  const aside = `${path}.writing`;
  const handle = await open(aside, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(aside, mode);
  await rename(aside, path);
}

/** Step 3: the relay took it; move it into place (idempotent: finishes a half-done move). */
export async function commitPendingRenewal(dir: string): Promise<void> {
  const folder = join(dir, RENEWAL_FOLDER);
  for (const file of [KEY_FILE, CERT_FILE]) {
    try {
      await rename(join(folder, file), join(dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  await rmdir(folder).catch(() => undefined);
}

/** The relay refused the pending pair: forget it. */
export async function discardPendingRenewal(dir: string): Promise<void> {
  await rm(join(dir, RENEWAL_FOLDER), { recursive: true, force: true });
}

export type PendingRenewal = { state: 'none' } | { state: 'unconfirmed'; identity: Identity } | { state: 'half_moved' } | { state: 'incomplete' };

export async function pendingRenewal(dir: string, email: string): Promise<PendingRenewal> {
  const folder = join(dir, RENEWAL_FOLDER);
  let files: string[];
  try {
    files = await readdir(folder);
  } catch {
    return { state: 'none' };
  }
  const hasKey = files.includes(KEY_FILE);
  const hasCert = files.includes(CERT_FILE);
  if (hasKey && hasCert) {
    const certificatePem = await readFile(join(folder, CERT_FILE), 'utf8');
    const privateKeyPem = await readFile(join(folder, KEY_FILE), 'utf8');
    try {
      return { state: 'unconfirmed', identity: { email, certificatePem, privateKeyPem, fingerprintSha256: inspectCertificate(certificatePem).fingerprintSha256 } };
    } catch {
      // Not a certificate (a run stopped while writing it, before atomic writes): the relay was never asked with it.
      return { state: 'incomplete' };
    }
  }
  // Only the cert left means the key already moved (key goes first); a lone key cannot be a half move.
  if (hasCert) return { state: 'half_moved' };
  // A lone key: step 1 stopped half way, before the relay was asked.
  return hasKey ? { state: 'incomplete' } : { state: 'none' };
}
