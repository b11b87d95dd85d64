/**
 * The relay's own TLS certificate: given by the operator, or generated on
 * first start into the data dir and reused after, so clients can pin it.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { issueSelfSigned } from '../../identity/certificate-builder.ts';
import { ipVersion } from '../../shared/ip.ts';
import { RelaySetupError } from './relay-setup-error.ts';

export interface TlsPair {
  certificatePem: string;
  privateKeyPem: string;
  certificatePath: string;
  generated: boolean;
}

const CERT_NAME = 'relay-cert.pem';
const KEY_NAME = 'relay-key.pem';
const FIVE_YEARS_MS = 5 * 365 * 86_400_000;

/** The file's text, or null when it does not exist; any other failure (permissions, a folder) is thrown. */
async function readIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The operator's pair, each file checked and named in its error (a bare "PEM routines::no start line" names nothing). */
export async function loadTlsPair(certFile: string, keyFile: string): Promise<TlsPair> {
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new RelaySetupError('tls_file_unusable', `cannot read the TLS ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const [certificatePem, privateKeyPem] = await Promise.all([read(certFile, 'certificate'), read(keyFile, 'key')]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new RelaySetupError('tls_file_unusable', `the TLS certificate ${certFile} holds no readable PEM certificate`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw new RelaySetupError('tls_file_unusable', `the TLS key ${keyFile} holds no readable PEM private key (an encrypted key is not supported)`);
  }
  if (!certificate.checkPrivateKey(key)) throw new RelaySetupError('tls_file_unusable', `the TLS key ${keyFile} does not belong to the certificate ${certFile}`);
  return { certificatePem, privateKeyPem, certificatePath: resolve(certFile), generated: false };
}

/** How long a relay waits for another one starting on the same data dir to finish writing the pair. */
const PAIR_LOCK_WAIT_MS = 15_000;
const PAIR_LOCK_POLL_MS = 50;

/**
 * Relays started together on one data dir (several processes over one
 * PostgreSQL) must end up with one pair: each used to generate its own and
 * overwrite the other's files, so a client pinned a certificate its relay
 * did not serve. The first to create the lock file generates; the others
 * wait for the pair it writes.
 */
export async function loadOrGenerateTlsPair(dataDir: string, host: string): Promise<TlsPair> {
  const lockPath = resolve(join(dataDir, '.relay-tls.lock'));
  const existing = await readPairUnlessBeingWritten(dataDir, lockPath);
  if (existing === 'being-written') return waitForPair(dataDir, lockPath);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let lock;
  try {
    lock = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return waitForPair(dataDir, lockPath);
  }
  try {
    // Another relay may have finished between our read and our lock.
    return (await readPair(dataDir)) ?? (await generatePair(dataDir, host));
  } finally {
    await lock.close();
    await unlink(lockPath).catch(() => undefined);
  }
}

async function waitForPair(dataDir: string, lockPath: string): Promise<TlsPair> {
  const deadline = Date.now() + PAIR_LOCK_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, PAIR_LOCK_POLL_MS));
    const pair = await readPairUnlessBeingWritten(dataDir, lockPath);
    if (pair && pair !== 'being-written') return pair;
  }
  throw new RelaySetupError('tls_pair_locked', `another relay has been generating the TLS pair in ${dataDir} for ${PAIR_LOCK_WAIT_MS / 1000} s (${lockPath}); if no relay is starting there, delete that lock file`);
}

/** Half a pair while another relay holds the lock is one being written (its two renames are not one step), not a broken one. */
async function readPairUnlessBeingWritten(dataDir: string, lockPath: string): Promise<TlsPair | null | 'being-written'> {
  try {
    return await readPair(dataDir);
  } catch (error) {
    if (error instanceof RelaySetupError && error.code === 'tls_pair_incomplete' && (await readIfPresent(lockPath)) !== null) return 'being-written';
    throw error;
  }
}

/** The pair in the data dir, null when there is none; half a pair is an error for the operator. */
async function readPair(dataDir: string): Promise<TlsPair | null> {
  const certificatePath = resolve(join(dataDir, CERT_NAME));
  const keyPath = resolve(join(dataDir, KEY_NAME));
  const [certificatePem, privateKeyPem] = await Promise.all([readIfPresent(certificatePath), readIfPresent(keyPath)]);
  if (certificatePem !== null && privateKeyPem !== null) return { certificatePem, privateKeyPem, certificatePath, generated: false };
  if (certificatePem !== null || privateKeyPem !== null) {
    // Half a pair: regenerating would overwrite the surviving half, and a new certificate
    // silently breaks every client that pinned the old one. The operator decides.
    const [present, missing] = certificatePem !== null ? [certificatePath, keyPath] : [keyPath, certificatePath];
    throw new RelaySetupError(
      'tls_pair_incomplete',
      `the relay's TLS pair is incomplete: ${present} exists but ${missing} is missing; restore ${missing}, or delete ${present} to generate a new pair (clients that pinned the old certificate must then pin the new one)`,
    );
  }
  return null;
}

async function generatePair(dataDir: string, host: string): Promise<TlsPair> {
  const certificatePath = resolve(join(dataDir, CERT_NAME));
  const keyPath = resolve(join(dataDir, KEY_NAME));
  const names = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  if (host === '0.0.0.0' || host === '::') {
    // Listening everywhere: name every address this machine has now.
    for (const list of Object.values(networkInterfaces())) for (const nic of list ?? []) if (!nic.address.includes('%')) ips.add(nic.address);
  } else if (ipVersion(host) !== null) {
    ips.add(host);
  } else {
    names.add(host);
  }
  const now = Date.now();
  const issued = issueSelfSigned({
    keyType: 'ecdsa-p256',
    subject: [{ field: 'CN', value: 'relaylab reference relay' }],
    sanDnsNames: [...names],
    sanIpAddresses: [...ips],
    notBeforeMs: now - 3_600_000,
    notAfterMs: now + FIVE_YEARS_MS,
    usage: 'server',
  });
  // Each file appears whole (written aside, then renamed), so a crash mid-write leaves no torn PEM.
  await writeFile(`${keyPath}.tmp`, issued.privateKeyPem, { mode: 0o600 });
  await chmod(`${keyPath}.tmp`, 0o600);
  await writeFile(`${certificatePath}.tmp`, issued.certificatePem);
  await rename(`${keyPath}.tmp`, keyPath);
  await rename(`${certificatePath}.tmp`, certificatePath);
  return { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, certificatePath, generated: true };
}
