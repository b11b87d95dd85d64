/**
 * An identity on disk: `key.pem` (mode 0600) and `cert.pem` in one folder.
 * This is an edge module (files, real clock): the pure code gets PEM strings.
 */
import { chmod, mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { issueSelfSigned, type KeyType } from './certificate-builder.ts';
import { inspectCertificate } from './inspect.ts';
import { normalizeEmail, isValidEmail } from '../shared/email.ts';
import { UserInputError } from '../shared/user-input-error.ts';

export interface Identity {
  email: string;
  certificatePem: string;
  privateKeyPem: string;
  fingerprintSha256: string;
}

export const KEY_FILE = 'key.pem';
export const CERT_FILE = 'cert.pem';
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
/** New certificates are valid from this long before they are made, so a relay whose clock lags a little accepts them. */
export const BACKDATE_MS = 60_000;

export class IdentityError extends UserInputError {
  constructor(readonly code: 'identity_exists' | 'identity_missing' | 'invalid_email' | 'identity_unreadable', message: string) {
    super(message);
  }
}

/**
 * A peer identity: the email in CN, in a SAN rfc822Name and in subject
 * emailAddress, so any relay that looks in any one place finds it.
 */
export function newPeerIdentity(email: string, nowMs: number, keyType: KeyType = 'rsa-2048', validForMs: number = TEN_YEARS_MS): Identity {
  const normalized = normalizeEmail(email);
  if (!isValidEmail(normalized)) throw new IdentityError('invalid_email', `"${email}" is not an email address`);
  const issued = issueSelfSigned({
    keyType,
    subject: [
      { field: 'CN', value: normalized },
      { field: 'emailAddress', value: normalized },
    ],
    sanEmails: [normalized],
    notBeforeMs: nowMs - BACKDATE_MS,
    notAfterMs: nowMs + validForMs,
    usage: 'client',
  });
  return { email: normalized, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, fingerprintSha256: issued.fingerprintSha256 };
}

/** Either file present means an identity is there (maybe half of one): never write over it. */
export async function identityExists(dir: string): Promise<boolean> {
  const [key, cert] = await Promise.all([fileExists(join(dir, KEY_FILE)), fileExists(join(dir, CERT_FILE))]);
  return key || cert;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A folder with only one of the two files: refuse with a message saying which, and never regenerate. */
async function refuseHalfIdentity(dir: string): Promise<void> {
  const [key, cert] = await Promise.all([fileExists(join(dir, KEY_FILE)), fileExists(join(dir, CERT_FILE))]);
  if (key === cert) return;
  const [present, missing] = key ? [KEY_FILE, CERT_FILE] : [CERT_FILE, KEY_FILE];
  throw new IdentityError(
    'identity_unreadable',
    `${dir} holds ${present} but no ${missing}: a half identity; restore ${missing}, or move the folder away to create a new identity (it is never regenerated automatically)`,
  );
}

/** Writes a new identity; refuses to overwrite one (never regenerate silently). */
export async function createIdentityFiles(dir: string, email: string, keyType: KeyType = 'rsa-2048'): Promise<Identity> {
  await refuseHalfIdentity(dir);
  if (await identityExists(dir)) {
    throw new IdentityError('identity_exists', `${dir} already holds an identity; refusing to overwrite it`);
  }
  const identity = newPeerIdentity(email, Date.now(), keyType);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // 'wx': fail rather than overwrite, should a file appear between the check and the write.
  await writeFile(join(dir, KEY_FILE), identity.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await chmod(join(dir, KEY_FILE), 0o600);
  await writeFile(join(dir, CERT_FILE), identity.certificatePem, { mode: 0o644, flag: 'wx' });
  return identity;
}

export async function loadIdentityFiles(dir: string): Promise<Identity> {
  await refuseHalfIdentity(dir);
  let certificatePem: string;
  let privateKeyPem: string;
  try {
    certificatePem = await readFile(join(dir, CERT_FILE), 'utf8');
    privateKeyPem = await readFile(join(dir, KEY_FILE), 'utf8');
  } catch {
    throw new IdentityError('identity_missing', `no identity in ${dir} (expected ${CERT_FILE} and ${KEY_FILE}); create one with: relaylab identity create --email E --dir ${dir}`);
  }
  try {
    const facts = inspectCertificate(certificatePem);
    // The emails list may start with a CN that is a name ("Alice Smith"), as openssl-made certificates do.
    const email = facts.emails.find((candidate) => isValidEmail(candidate));
    if (!email) throw new Error('certificate carries no email address');
    return { email, certificatePem, privateKeyPem, fingerprintSha256: facts.fingerprintSha256 };
  } catch (error) {
    throw new IdentityError('identity_unreadable', `${join(dir, CERT_FILE)} is not a usable certificate: ${(error as Error).message}`);
  }
}

export async function loadOrCreateIdentity(dir: string, email: string): Promise<{ identity: Identity; created: boolean }> {
  if (await identityExists(dir)) {
    // A key without its certificate (or the reverse) is refused by loadIdentityFiles, never replaced.
    const identity = await loadIdentityFiles(dir);
    if (identity.email !== normalizeEmail(email)) {
      throw new IdentityError('identity_exists', `${dir} holds the identity of ${identity.email}, not ${normalizeEmail(email)}`);
    }
    return { identity, created: false };
  }
  return { identity: await createIdentityFiles(dir, email), created: true };
}
