/**
 * Hardening item 4: the relay accepts exactly the keys its TLS stack
 * (node:https, requestCert) can authenticate as client certificates. Each
 * accepted type registers and then authenticates a ready over mutual TLS
 * against a real relay; each refused type is 400 unsupported_key_type, and
 * for those TLS itself refuses, the TLS refusal is shown too (registering
 * them would lock the email to a certificate that can never log in).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { uniqueEmail } from '../support/relay-fixture.ts';
import { opensslSelfSigned } from './hardening-certificates.ts';

let relay: RunningRelay;
const agents: Agent[] = [];
beforeAll(async () => {
  relay = await startRelay({ port: 0, ttlSeconds: 30 });
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await relay.close();
});

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const opensslKey = (args: string[]) => execFileSync('openssl', ['genpkey', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function call(path: string, body: unknown, client?: { cert: string; key: string }): Promise<{ status: number; body: any }> {
  const agent = new Agent({ connect: { ca: relay.tlsCertificatePem, ...(client ?? {}) } });
  agents.push(agent);
  const reply = await request(new URL(path, relay.url), { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: reply.statusCode, body: JSON.parse(await reply.body.text()) };
}

/** An RSA-PSS key restricted to `hash` (for the message and MGF1) and a minimum salt of `saltBytes`. */
const restrictedPss = (hash: string, saltBytes: number) =>
  // @types/node types saltLength as a string; node:crypto wants the number of bytes.
  pkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: hash, mgf1HashAlgorithm: hash, saltLength: saltBytes as unknown as string }).privateKey);

const READY = { port: 4242, addresses: ['127.0.0.1'] };

const accepted: Array<[string, () => string]> = [
  ['RSA 2048', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
  ['RSA 3072', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey)],
  ['RSA 4096', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey)],
  ['RSA 2048, exponent 3', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey)],
  ['RSA-PSS 2048, unrestricted', () => pkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey)],
  ['RSA-PSS 2048, restricted to SHA-512', () => restrictedPss('sha512', 64)],
  ['ECDSA P-256', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)],
  ['ECDSA P-384', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)],
  ['ECDSA P-521', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey)],
  ['Ed25519', () => pkcs8(generateKeyPairSync('ed25519').privateKey)],
  ['Ed448', () => pkcs8(generateKeyPairSync('ed448').privateKey)],
];

/** [what, key, whether TLS itself can authenticate with it] */
const refused: Array<[string, () => string, boolean]> = [
  ['ECDSA secp256k1', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey), false],
  ['ECDSA brainpoolP256r1', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey), false],
  ['DSA 2048', () => pkcs8(generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey), false],
  ['RSA-PSS restricted to SHA-1', () => restrictedPss('sha1', 20), false],
  ['RSA-PSS needing a 100-byte salt with SHA-256', () => opensslKey(['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:100']), false],
  // TLS would take these two; the relay refuses them on purpose (REG-10; verification cost).
  ['RSA 1024', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey), true],
  ['RSA 2048, exponent 2^32+1', () => opensslKey(['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_pubexp:4294967297']), true],
];

describe('key types the relay accepts register and authenticate over mutual TLS', () => {
  it.each(accepted)('%s', async (_what, makeKey) => {
    const email = uniqueEmail('keytype');
    const key = makeKey();
    const cert = opensslSelfSigned(key, email);
    expect(await call('/api/relay/register', { certificate: cert, email })).toMatchObject({ status: 200, body: { status: 'registered', email } });
    const ready = await call('/api/relay/broadcast/ready', READY, { cert, key });
    expect(ready).toMatchObject({ status: 200, body: { status: 'registered', expires_in: 30 } });
  });
});

describe('key types the relay refuses', () => {
  it.each(refused)('%s: 400 unsupported_key_type at register', async (_what, makeKey, tlsAuthenticates) => {
    const email = uniqueEmail('keytype');
    const key = makeKey();
    const cert = opensslSelfSigned(key, email);
    expect(await call('/api/relay/register', { certificate: cert, email })).toMatchObject({ status: 400, body: { code: 'unsupported_key_type' } });
    // What TLS does with that certificate: for the keys TLS cannot use, the relay never sees it.
    let seen: string;
    try {
      const reply = await call('/api/relay/broadcast/ready', READY, { cert, key });
      seen = reply.body.code === 'client_certificate_required' ? 'no certificate' : 'certificate';
    } catch {
      seen = 'handshake failed';
    }
    if (tlsAuthenticates) expect(seen).toBe('certificate');
    else expect(seen).not.toBe('certificate');
  });
});
