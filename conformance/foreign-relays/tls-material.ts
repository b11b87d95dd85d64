/**
 * The relay's own HTTPS certificate: given as files, or a fresh self-signed
 * one made with the openssl command line, for 127.0.0.1, ::1 and localhost
 * (and the listen address, when it is another IP).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
}

export async function loadTlsMaterial(certFile: string | null, keyFile: string | null, host: string): Promise<TlsMaterial> {
  if (certFile !== null && keyFile !== null) {
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  }
  return generateSelfSigned(host);
}

async function generateSelfSigned(host: string): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'foreign-relay-'));
  try {
    const names = ['IP:127.0.0.1', 'IP:::1', 'DNS:localhost'];
    if (isIP(host) && host !== '0.0.0.0' && host !== '::' && !names.includes(`IP:${host}`)) names.push(`IP:${host}`);
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=127.0.0.1/O=foreign relay',
      '-addext', `subjectAltName=${names.join(',')}`, '-addext', 'extendedKeyUsage=serverAuth',
    ], { env: realTimeEnv() });
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Under libfaketime (the suite's --time-warp) our clock runs ahead; clients
 * check the certificate in real time, so openssl must date it in real time
 * or it is "not yet valid" to them.
 */
function realTimeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('FAKETIME')) continue;
    if (name === 'LD_PRELOAD' || name === 'DYLD_INSERT_LIBRARIES') {
      const kept = (value ?? '').split(/[:\s]+/).filter((lib) => lib !== '' && !lib.includes('faketime'));
      if (kept.length > 0) env[name] = kept.join(':');
      continue;
    }
    env[name] = value;
  }
  return env;
}
