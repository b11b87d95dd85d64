/**
 * What a certificate must be to register (SPEC REG-2..REG-4, REG-8..REG-11): exactly one
 * parseable X.509 certificate of bounded size, a key the relay's TLS stack can
 * authenticate with, self-signature valid, valid now, and carrying the claimed
 * email in CN, SAN rfc822Name or subject emailAddress.
 *
 * Registration needs no authentication, so the checks run cheapest first:
 * size and name counts (in the inspector), then the key's type, size and
 * exponent, and only then the self-signature, the one public-key operation,
 * whose cost those bounds cap.
 */
import { CertificateParseError, type CertificateFacts, type CertificateInspector } from '../../identity/inspect.ts';
import { fail } from './result.ts';
import { RELAY_LIMITS } from './types.ts';
import type { Checked } from './validate.ts';

/**
 * Keys node:https (OpenSSL 3) accepts as client certificates, found by
 * experiment over TLS 1.3 and 1.2: RSA and RSA-PSS, ECDSA on P-256, P-384 and
 * P-521, Ed25519 and Ed448. Not secp256k1 or brainpool curves (no TLS signature
 * scheme: the handshake fails), not DSA (TLS 1.3 has no DSA scheme; clients
 * then send no certificate), not RSA-PSS keys restricted to SHA-1 or to a salt
 * longer than their digest. Registering such a key would lock its email to a
 * certificate that can never authenticate.
 */
export const KEY_RULES = {
  minRsaModulusBits: RELAY_LIMITS.minRsaModulusBits,
  /** TLS takes up to 16384, but an RSA-16384 verify costs 1-3.5 ms; 8192 is the largest anyone uses. */
  maxRsaModulusBits: 8192,
  /** Public exponent: odd, from 3 to 2^32 (65537 in practice); bigger ones make verification slow. */
  maxRsaPublicExponent: 2n ** 32n,
  ecCurves: new Set(['prime256v1', 'secp384r1', 'secp521r1']),
  /** RSA-PSS hash restrictions TLS can sign with, and their digest length (TLS uses salt = digest length). */
  rsaPssHashes: new Map([
    ['sha256', 32],
    ['sha384', 48],
    ['sha512', 64],
  ]),
} as const;

const KEY_TYPES = new Set(['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448']);
const ACCEPTED = 'RSA or RSA-PSS of 2048-8192 bits with a small odd exponent such as 65537, ECDSA P-256/P-384/P-521, Ed25519 or Ed448';

export function checkCertificate(inspector: CertificateInspector, pem: string, email: string, nowMs: number): Checked<CertificateFacts> {
  let facts: CertificateFacts;
  try {
    facts = inspector.inspect(pem);
  } catch (error) {
    if (error instanceof CertificateParseError) return { ok: false, response: fail('invalid_certificate', `"certificate" is ${error.message}`) };
    throw error;
  }
  const keyProblem = unsupportedKey(facts);
  if (keyProblem !== null) {
    return { ok: false, response: fail('unsupported_key_type', `${keyProblem} not accepted (${ACCEPTED})`) };
  }
  if (!facts.selfSignatureValid) {
    return { ok: false, response: fail('invalid_certificate', 'the certificate is not self-signed by its own key (signature does not verify)') };
  }
  const { notBeforeMs, notAfterMs } = facts;
  if (!Number.isFinite(notBeforeMs) || !Number.isFinite(notAfterMs)) {
    return { ok: false, response: fail('certificate_not_valid_now', 'the certificate\'s validity window cannot be read (notBefore or notAfter is not a valid time)') };
  }
  // Both ends included (RFC 5280 4.1.2.5), as authentication has it (validity.ts).
  if (!(nowMs >= notBeforeMs && nowMs <= notAfterMs)) {
    const window = `${isoOrRaw(notBeforeMs)} .. ${isoOrRaw(notAfterMs)}`;
    return { ok: false, response: fail('certificate_not_valid_now', `the certificate is not valid now (valid ${window})`) };
  }
  if (!facts.emails.includes(email)) {
    const found = facts.emails.length > 0 ? facts.emails.join(', ') : 'none';
    return { ok: false, response: fail('email_mismatch', `${email} is not in the certificate (CN, SAN email, emailAddress hold: ${found})`) };
  }
  return { ok: true, value: facts };
}

/** Why the key is refused ("secp256k1 EC keys are"), or null. Facts an inspector does not report are not checked. */
function unsupportedKey(facts: CertificateFacts): string | null {
  const { keyType, keyBits } = facts;
  if (!KEY_TYPES.has(keyType)) return `${keyType} keys are`;
  if (keyType === 'rsa' || keyType === 'rsa-pss') {
    const label = keyType === 'rsa' ? 'RSA' : 'RSA-PSS';
    if (keyBits === null || keyBits < KEY_RULES.minRsaModulusBits || keyBits > KEY_RULES.maxRsaModulusBits) return `${keyBits ?? 'unknown'}-bit ${label} keys are`;
    const e = facts.rsaPublicExponent;
    if (e === null || (e !== undefined && (e < 3n || e > KEY_RULES.maxRsaPublicExponent || e % 2n === 0n))) {
      return `${label} keys with public exponent ${e === null ? 'unknown' : e < 2n ** 64n ? e.toString() : `of ${e.toString(2).length} bits`} are`;
    }
    const pss = facts.rsaPssParameters;
    if (pss) {
      const digestBytes = KEY_RULES.rsaPssHashes.get(pss.hashAlgorithm);
      if (digestBytes === undefined) return `RSA-PSS keys restricted to ${pss.hashAlgorithm} are`;
      if (pss.saltLength !== null && pss.saltLength > digestBytes) return `RSA-PSS keys requiring a ${pss.saltLength}-byte salt with ${pss.hashAlgorithm} are`;
    }
  }
  if (keyType === 'ec' && facts.ecCurve !== undefined && (facts.ecCurve === null || !KEY_RULES.ecCurves.has(facts.ecCurve))) {
    return `${facts.ecCurve ?? 'explicit-parameter'} EC keys are`;
  }
  return null;
}

function isoOrRaw(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
