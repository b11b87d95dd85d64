/**
 * Hardening, CPU before authentication (issue "Hardening" item 2) and
 * unreadable validity dates (item 3): hostile certificates are refused with
 * the SPEC codes, and those refused for size, names or key are refused
 * before the self-signature is verified, seen through the inspector's
 * verifier seam, over real HTTPS.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createX509Inspector, verifySelfSignature } from '../../reference/identity/inspect.ts';
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import { startRelayFixture, T0, uniqueEmail, type RelayFixture } from '../support/relay-fixture.ts';
import {
  badNotAfterCertificate,
  derOfPem,
  fakeDsaCertificate,
  hugeExponentRsaCertificate,
  manySanCertificate,
  ordinaryCertificate,
  oversizedCertificate,
  type BuiltCertificate,
} from './hardening-certificates.ts';

let f: RelayFixture;
/** Certificates whose self-signature the relay verified, by fingerprint of the DER. */
const verified: string[] = [];
const spyVerifier = (certificate: X509Certificate, publicKey: KeyObject) => {
  verified.push(certificate.fingerprint256);
  return verifySelfSignature(certificate, publicKey);
};

beforeAll(async () => {
  // The same core, parts and edge, with the inspector's verifier seam observed.
  f = await startRelayFixture({ wrapHandler: (core) => new RelayCore({ ...core.deps, certificates: createX509Inspector({ verifySignature: spyVerifier }) }) });
});
afterAll(() => f.close());
beforeEach(() => {
  verified.length = 0;
});

const register = (certificate: string, email: string) => f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate, email }) });

describe('hostile certificates are refused before their signature is verified', () => {
  const cases: Array<[string, (email: string) => BuiltCertificate, string, RegExp]> = [
    ['an RSA key with a 3,064-bit public exponent', (e) => hugeExponentRsaCertificate(e, T0), 'unsupported_key_type', /exponent of 3064 bits/],
    ['a made-up DSA key with a 10,000-bit modulus', (e) => fakeDsaCertificate(e, T0), 'unsupported_key_type', /dsa keys/],
    ['4,000 SAN emails (43 KB of DER)', (e) => manySanCertificate(e, T0, 4000), 'invalid_certificate', /bytes of DER/],
    ['101 SAN emails (small enough, too many names)', (e) => manySanCertificate(e, T0, 101), 'invalid_certificate', /101 subjectAltName entries/],
    ['a 40 KB extension', (e) => oversizedCertificate(e, T0, 40_000), 'invalid_certificate', /bytes of DER/],
  ];
  it.each(cases)('%s', async (_what, make, code, message) => {
    const email = uniqueEmail('hostile');
    const reply = await register(make(email).certificatePem, email);
    expect(reply).toMatchObject({ status: 400, body: { code } });
    expect(reply.body.error).toMatch(message);
    expect(verified).toEqual([]);
  });

  it('the huge-exponent certificate is validly self-signed: only the key rule refuses it', () => {
    const { certificatePem } = hugeExponentRsaCertificate(uniqueEmail('exp'), T0);
    const facts = createX509Inspector().inspect(certificatePem);
    expect(facts.keyType).toBe('rsa');
    expect(facts.rsaPublicExponent?.toString(2)).toHaveLength(3064);
    expect(facts.selfSignatureValid).toBe(true);
  });

  it('an ordinary certificate, and one with exactly 100 SAN entries, are verified and registered', async () => {
    for (const make of [(e: string) => ordinaryCertificate(e, T0), (e: string) => manySanCertificate(e, T0, 100)]) {
      verified.length = 0;
      const email = uniqueEmail('fine');
      const { certificatePem } = make(email);
      expect(await register(certificatePem, email)).toMatchObject({ status: 200, body: { status: 'registered' } });
      expect(verified).toHaveLength(1);
    }
  });

  it('a tampered certificate is still refused as invalid_certificate, after verification', async () => {
    const email = uniqueEmail('tamper');
    const der = derOfPem(ordinaryCertificate(email, T0).certificatePem);
    const at = der.indexOf(Buffer.from(email));
    der[at] = der[at] === 0x61 ? 0x62 : 0x61;
    const tampered = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(await register(tampered, email)).toMatchObject({ status: 400, body: { code: 'invalid_certificate' } });
    expect(verified).toHaveLength(1);
  });
});

describe('unreadable validity times', () => {
  it.each([
    ['month 13', '991399999999Z'],
    ['letters', 'ZZZZZZZZZZZZZ'],
  ])('a validly signed certificate whose notAfter is %s answers 400 certificate_not_valid_now', async (_what, timeText) => {
    const email = uniqueEmail('badtime');
    const { certificatePem } = badNotAfterCertificate(email, T0, timeText);
    const facts = createX509Inspector().inspect(certificatePem);
    expect(facts.selfSignatureValid).toBe(true);
    expect(facts.notAfterMs).toBeNaN();
    expect(await register(certificatePem, email)).toMatchObject({ status: 400, body: { code: 'certificate_not_valid_now' } });
  });
});
