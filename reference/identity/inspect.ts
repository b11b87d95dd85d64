/**
 * Reads what the protocol needs out of a certificate: its SHA-256
 * fingerprint (the identity the relay authenticates, SPEC AUTH-2), the
 * emails it carries (CN, SAN rfc822Name, subject emailAddress; SPEC REG-3),
 * its validity window and key type. Pure: parsing only, no clock.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

export interface CertificateFacts {
  fingerprintSha256: string;
  /** Lower-cased, de-duplicated, in the order: CN, emailAddress, SAN. */
  emails: string[];
  notBeforeMs: number;
  notAfterMs: number;
  /** 'rsa', 'ec', 'ed25519', ... as node:crypto names them. */
  keyType: string;
  /** RSA modulus or EC curve size in bits, when known. */
  keyBits: number | null;
  /** Whether the certificate verifies under its own public key. */
  selfSignatureValid: boolean;
}

export class CertificateParseError extends Error {}

export interface CertificateInspector {
  inspect(pem: string): CertificateFacts;
  fingerprintOfDer(der: Uint8Array): string;
}

const PEM_BLOCK = /^\s*-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\s*$/;

export function fingerprintOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

export function inspectCertificate(pem: string): CertificateFacts {
  // Exactly one PEM block: a bundle or trailing junk is refused, not half-read.
  const match = PEM_BLOCK.exec(pem);
  if (!match) throw new CertificateParseError('not a single PEM "CERTIFICATE" block');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw new CertificateParseError(`not a valid X.509 certificate (${(error as Error).message})`);
  }
  const legacy = cert.toLegacyObject();
  const subject = (legacy.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const emails = [...asList(subject.CN), ...asList(subject.emailAddress), ...sanEmails(cert.subjectAltName)]
    .map((e) => e.trim().toLowerCase())
    .filter((e, i, all) => e.length > 0 && all.indexOf(e) === i);
  let publicKey: KeyObject;
  try {
    publicKey = cert.publicKey;
  } catch (error) {
    // Mangled key bytes or an algorithm OpenSSL cannot decode: nothing can verify it (SPEC REG-2).
    throw new CertificateParseError(`a certificate whose public key cannot be decoded (${(error as Error).message})`);
  }
  let selfSignatureValid = false;
  try {
    selfSignatureValid = cert.verify(publicKey);
  } catch {
    selfSignatureValid = false;
  }
  return {
    fingerprintSha256: fingerprintOfDer(cert.raw),
    emails,
    notBeforeMs: Date.parse(cert.validFrom),
    notAfterMs: Date.parse(cert.validTo),
    keyType: publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: publicKey.asymmetricKeyDetails?.modulusLength ?? null,
    selfSignatureValid,
  };
}

export const x509Inspector: CertificateInspector = { inspect: inspectCertificate, fingerprintOfDer };

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Node renders SANs as `email:a@b, DNS:x`, JSON-quoting values with special characters. */
export function sanEmails(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const out: string[] = [];
  const entry = /(\w+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,\s*|$)/g;
  for (const m of subjectAltName.matchAll(entry)) {
    const [, kind, raw = ''] = m;
    if (kind !== 'email') continue;
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}
