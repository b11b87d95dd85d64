/**
 * What a certificate must be to register (SPEC REG-2..REG-4, REG-8..REG-11): exactly one
 * parseable X.509 certificate, self-signature valid, valid now, a key type
 * we accept, and carrying the claimed email in CN, SAN rfc822Name or
 * subject emailAddress.
 */
import { CertificateParseError, type CertificateFacts, type CertificateInspector } from '../../identity/inspect.ts';
import { fail } from './result.ts';
import { RELAY_LIMITS } from './types.ts';
import type { Checked } from './validate.ts';

const ACCEPTED_KEY_TYPES = new Set(['rsa', 'ec', 'ed25519', 'ed448']);

export function checkCertificate(inspector: CertificateInspector, pem: string, email: string, nowMs: number): Checked<CertificateFacts> {
  let facts: CertificateFacts;
  try {
    facts = inspector.inspect(pem);
  } catch (error) {
    if (error instanceof CertificateParseError) return { ok: false, response: fail('invalid_certificate', `"certificate" is ${error.message}`) };
    throw error;
  }
  if (!ACCEPTED_KEY_TYPES.has(facts.keyType) || (facts.keyType === 'rsa' && (facts.keyBits ?? 0) < RELAY_LIMITS.minRsaModulusBits)) {
    const bits = facts.keyBits ? ` ${facts.keyBits}-bit` : '';
    return { ok: false, response: fail('unsupported_key_type', `${facts.keyType}${bits} keys are not accepted (RSA >= 2048 bits, ECDSA or Ed25519)`) };
  }
  if (!facts.selfSignatureValid) {
    return { ok: false, response: fail('invalid_certificate', 'the certificate is not self-signed by its own key (signature does not verify)') };
  }
  if (nowMs < facts.notBeforeMs || nowMs >= facts.notAfterMs) {
    const window = `${new Date(facts.notBeforeMs).toISOString()} .. ${new Date(facts.notAfterMs).toISOString()}`;
    return { ok: false, response: fail('certificate_not_valid_now', `the certificate is not valid now (valid ${window})`) };
  }
  if (!facts.emails.includes(email)) {
    const found = facts.emails.length > 0 ? facts.emails.join(', ') : 'none';
    return { ok: false, response: fail('email_mismatch', `${email} is not in the certificate (CN, SAN email, emailAddress hold: ${found})`) };
  }
  return { ok: true, value: facts };
}
