import type { KeyObject, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_PARSE_LIMITS, createX509Inspector, verifySelfSignature, type CertificateFacts, type CertificateInspector } from '../../identity/inspect.ts';
import { manySanCertificate, ordinaryCertificate, oversizedCertificate } from '../../../test/relay/hardening-certificates.ts';
import { checkCertificate, KEY_RULES } from './certificate-rules.ts';

const NOW = Date.UTC(2026, 5, 1);
const EMAIL = 'peer@example.test';

/** An inspector returning these facts; counts reads of the self-signature. */
function factsInspector(overrides: Partial<CertificateFacts>): { inspector: CertificateInspector; reads: () => number } {
  let reads = 0;
  const inspector: CertificateInspector = {
    inspect: () => ({
      fingerprintSha256: 'ab'.repeat(32),
      emails: [EMAIL],
      notBeforeMs: NOW - 1000,
      notAfterMs: NOW + 1000,
      keyType: 'rsa',
      keyBits: 2048,
      rsaPublicExponent: 65537n,
      ecCurve: null,
      rsaPssParameters: null,
      ...overrides,
      get selfSignatureValid() {
        reads++;
        return true;
      },
    }),
    fingerprintOfDer: () => '',
  };
  return { inspector, reads: () => reads };
}

const codeOf = (inspector: CertificateInspector) => {
  const result = checkCertificate(inspector, 'pem', EMAIL, NOW);
  return result.ok ? 'ok' : (result.response.body as { code: string }).code;
};

describe('checkCertificate key rules, checked before the signature', () => {
  it.each<[string, Partial<CertificateFacts>]>([
    ['RSA 1024', { keyBits: 1024 }],
    ['RSA 16384 (TLS takes it; a verify costs milliseconds)', { keyBits: 16384 }],
    ['RSA of unknown size', { keyBits: null }],
    ['RSA exponent 1', { rsaPublicExponent: 1n }],
    ['RSA even exponent', { rsaPublicExponent: 65536n }],
    ['RSA exponent 2^32 + 1', { rsaPublicExponent: 2n ** 32n + 1n }],
    ['RSA exponent of 3064 bits', { rsaPublicExponent: 2n ** 3063n + 1n }],
    ['RSA of unknown exponent', { rsaPublicExponent: null }],
    ['RSA-PSS restricted to SHA-1', { keyType: 'rsa-pss', rsaPssParameters: { hashAlgorithm: 'sha1', mgf1HashAlgorithm: 'sha1', saltLength: 20 } }],
    ['RSA-PSS with a salt longer than SHA-384', { keyType: 'rsa-pss', rsaPssParameters: { hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 49 } }],
    ['EC secp256k1', { keyType: 'ec', keyBits: null, rsaPublicExponent: null, ecCurve: 'secp256k1' }],
    ['EC with explicit parameters', { keyType: 'ec', keyBits: null, rsaPublicExponent: null, ecCurve: null }],
    ['DSA', { keyType: 'dsa', keyBits: 10000, rsaPublicExponent: null }],
    ['X25519 (not a signing key)', { keyType: 'x25519', keyBits: null, rsaPublicExponent: null }],
  ])('%s: unsupported_key_type, signature never read', (_what, facts) => {
    const { inspector, reads } = factsInspector(facts);
    expect(codeOf(inspector)).toBe('unsupported_key_type');
    expect(reads()).toBe(0);
  });

  it.each<[string, Partial<CertificateFacts>]>([
    ['RSA 2048, e = 65537', {}],
    ['RSA 8192, e = 2^32 - 1', { keyBits: KEY_RULES.maxRsaModulusBits, rsaPublicExponent: 2n ** 32n - 1n }],
    ['RSA 2048, e = 3', { rsaPublicExponent: 3n }],
    ['RSA-PSS restricted to SHA-256, salt 32', { keyType: 'rsa-pss', rsaPssParameters: { hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 } }],
    ['EC P-521', { keyType: 'ec', keyBits: null, rsaPublicExponent: null, ecCurve: 'secp521r1' }],
    ['Ed448', { keyType: 'ed448', keyBits: null, rsaPublicExponent: null }],
    // The simulator's inspector reports no curve or exponent: what is not reported is not checked.
    ['EC from an inspector that reports no curve', { keyType: 'ec', keyBits: 256, rsaPublicExponent: undefined, ecCurve: undefined }],
  ])('%s: accepted after reading the signature once', (_what, facts) => {
    const { inspector, reads } = factsInspector(facts);
    expect(codeOf(inspector)).toBe('ok');
    expect(reads()).toBe(1);
  });
});

describe('checkCertificate validity window', () => {
  it.each<[string, Partial<CertificateFacts>]>([
    ['notAfter unreadable', { notAfterMs: Number.NaN }],
    ['notBefore unreadable', { notBeforeMs: Number.NaN }],
    ['both unreadable', { notBeforeMs: Number.NaN, notAfterMs: Number.NaN }],
    ['expired', { notAfterMs: NOW - 1 }],
    ['not yet valid', { notBeforeMs: NOW + 1 }],
  ])('%s: certificate_not_valid_now', (_what, facts) => {
    expect(codeOf(factsInspector(facts).inspector)).toBe('certificate_not_valid_now');
  });

  it('takes both ends as valid (RFC 5280 4.1.2.5): notBefore and notAfter equal to now', () => {
    expect(codeOf(factsInspector({ notBeforeMs: NOW, notAfterMs: NOW }).inspector)).toBe('ok');
  });
});

describe('the X.509 inspector bounds its work', () => {
  const spied = () => {
    let calls = 0;
    const inspector = createX509Inspector({
      verifySignature: (c: X509Certificate, k: KeyObject) => {
        calls++;
        return verifySelfSignature(c, k);
      },
    });
    return { inspector, calls: () => calls };
  };

  it('a 64 KiB certificate is invalid_certificate without being verified', () => {
    const { inspector, calls } = spied();
    const { certificatePem } = oversizedCertificate(EMAIL, NOW, 64 * 1024);
    const result = checkCertificate(inspector, certificatePem, EMAIL, NOW);
    expect(result.ok ? null : result.response.body).toMatchObject({ code: 'invalid_certificate' });
    expect(calls()).toBe(0);
  });

  it('the size limit is on the DER: just under it is read, just over it is not', () => {
    const { inspector } = spied();
    const size = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').length;
    let under = oversizedCertificate(EMAIL, NOW, CERTIFICATE_PARSE_LIMITS.maxDerBytes - 64).certificatePem;
    expect(size(under)).toBeLessThanOrEqual(CERTIFICATE_PARSE_LIMITS.maxDerBytes);
    expect(inspector.inspect(under).selfSignatureValid).toBe(true);
    under = oversizedCertificate(EMAIL, NOW, CERTIFICATE_PARSE_LIMITS.maxDerBytes + 16).certificatePem;
    expect(size(under)).toBeGreaterThan(CERTIFICATE_PARSE_LIMITS.maxDerBytes);
    expect(() => inspector.inspect(under)).toThrow(/bytes of DER/);
  });

  it('counts SAN entries of every kind, and de-duplicates emails keeping the first spelling order', () => {
    const { inspector } = spied();
    expect(() => inspector.inspect(manySanCertificate(EMAIL, NOW, 101).certificatePem)).toThrow(/101 subjectAltName entries/);
    const repeated = ordinaryCertificate(EMAIL, NOW, ['B@x.test', EMAIL.toUpperCase(), 'b@x.test', 'c@x.test']).certificatePem;
    expect(inspector.inspect(repeated).emails).toEqual([EMAIL, 'b@x.test', 'c@x.test']);
  });

  it('verifies the self-signature once, only when read', () => {
    const { inspector, calls } = spied();
    const facts = inspector.inspect(ordinaryCertificate(EMAIL, NOW).certificatePem);
    expect(calls()).toBe(0);
    expect(facts.selfSignatureValid).toBe(true);
    expect(facts.selfSignatureValid).toBe(true);
    expect(calls()).toBe(1);
  });
});
