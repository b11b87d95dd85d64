/**
 * The relay's own TLS certificate: given by the operator, or generated on
 * first start into the data dir and reused after, so clients can pin it.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { issueSelfSigned } from '../../identity/certificate-builder.ts';
import { ipVersion } from '../../shared/ip.ts';

export interface TlsPair {
  certificatePem: string;
  privateKeyPem: string;
  certificatePath: string;
  generated: boolean;
}

const CERT_NAME = 'relay-cert.pem';
const KEY_NAME = 'relay-key.pem';
const FIVE_YEARS_MS = 5 * 365 * 86_400_000;

export async function loadTlsPair(certFile: string, keyFile: string): Promise<TlsPair> {
  const [certificatePem, privateKeyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certificatePem, privateKeyPem, certificatePath: resolve(certFile), generated: false };
}

export async function loadOrGenerateTlsPair(dataDir: string, host: string): Promise<TlsPair> {
  const certificatePath = resolve(join(dataDir, CERT_NAME));
  try {
    return await loadTlsPair(certificatePath, join(dataDir, KEY_NAME));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
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
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, KEY_NAME), issued.privateKeyPem, { mode: 0o600 });
  await chmod(join(dataDir, KEY_NAME), 0o600);
  await writeFile(certificatePath, issued.certificatePem);
  return { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, certificatePath, generated: true };
}
