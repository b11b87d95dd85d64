/**
 * Reads what the protocol needs out of a certificate: its SHA-256
 * fingerprint (the identity the relay authenticates, SPEC AUTH-2), the
 * emails it carries (CN, SAN rfc822Name, subject emailAddress; SPEC REG-3),
 * its validity window and key. Pure: parsing only, no clock.
 *
 * The work is bounded before it is done (anyone may register, unauthenticated):
 * the DER size and the number of SAN entries and subject attributes are
 * checked before OpenSSL renders them, and the self-signature, the one
 * public-key operation, is verified only when `selfSignatureValid` is first
 * read, so the relay can refuse a key it would not accept without paying for it.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

export interface CertificateFacts {
  fingerprintSha256: string;
  /** Lower-cased, de-duplicated, in the order: CN, emailAddress, SAN. */
  emails: string[];
  /** NaN when the certificate's time cannot be read. */
  notBeforeMs: number;
  notAfterMs: number;
  /** 'rsa', 'rsa-pss', 'ec', 'ed25519', ... as node:crypto names them. */
  keyType: string;
  /** RSA modulus size in bits, when known. */
  keyBits: number | null;
  /** RSA (and RSA-PSS) public exponent; null for other keys. Absent: this inspector does not report it. */
  rsaPublicExponent?: bigint | null;
  /** EC curve as OpenSSL names it ('prime256v1', 'secp384r1', ...); null when not a named curve or not EC. Absent: not reported. */
  ecCurve?: string | null;
  /** Parameter restrictions written into an RSA-PSS key; null when it has none or is not RSA-PSS. Absent: not reported. */
  rsaPssParameters?: { hashAlgorithm: string; mgf1HashAlgorithm: string | null; saltLength: number | null } | null;
  /**
   * Whether the certificate verifies under its own public key. The X.509
   * inspector computes it on first read (a public-key operation: read it last).
   */
  readonly selfSignatureValid: boolean;
}

export class CertificateParseError extends Error {}

export interface CertificateInspector {
  inspect(pem: string): CertificateFacts;
  fingerprintOfDer(der: Uint8Array): string;
}

/** What the inspector reads at all: larger or busier certificates are refused as malformed before parsing. */
export const CERTIFICATE_PARSE_LIMITS = {
  /** Real client certificates are 0.3-2 KB (RSA-8192 with a few SANs is under 3 KB). */
  maxDerBytes: 16 * 1024,
  /** Entries in the subjectAltName extension(s), of any kind. */
  maxSanEntries: 100,
  /** Attributes in the subject name. */
  maxSubjectAttributes: 100,
} as const;

export interface X509InspectorOptions {
  /** The self-signature check; a seam so tests can see whether (and when) it runs. */
  verifySignature?: (certificate: X509Certificate, publicKey: KeyObject) => boolean;
}

const PEM_BLOCK = /^\s*-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\s*$/;

export function fingerprintOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

export function verifySelfSignature(certificate: X509Certificate, publicKey: KeyObject): boolean {
  try {
    return certificate.verify(publicKey);
  } catch {
    return false;
  }
}

export function inspectCertificate(pem: string, options: X509InspectorOptions = {}): CertificateFacts {
  const verifySignature = options.verifySignature ?? verifySelfSignature;
  // Exactly one PEM block: a bundle or trailing junk is refused, not half-read.
  const match = PEM_BLOCK.exec(pem);
  if (!match) throw new CertificateParseError('not a single PEM "CERTIFICATE" block');
  const base64 = (match[1] as string).replace(/[\r\n]/g, '');
  // Decoded size, known from the text before decoding anything.
  const derBytes = Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
  if (derBytes > CERTIFICATE_PARSE_LIMITS.maxDerBytes) {
    throw new CertificateParseError(`a ${derBytes}-byte certificate; at most ${CERTIFICATE_PARSE_LIMITS.maxDerBytes} bytes of DER are accepted`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw new CertificateParseError(`not a valid X.509 certificate (${(error as Error).message})`);
  }
  const counts = countNames(cert.raw);
  if (counts.sanEntries > CERTIFICATE_PARSE_LIMITS.maxSanEntries) {
    throw new CertificateParseError(`a certificate with ${counts.sanEntries} subjectAltName entries; at most ${CERTIFICATE_PARSE_LIMITS.maxSanEntries} are accepted`);
  }
  if (counts.subjectAttributes > CERTIFICATE_PARSE_LIMITS.maxSubjectAttributes) {
    throw new CertificateParseError(`a certificate with ${counts.subjectAttributes} subject attributes; at most ${CERTIFICATE_PARSE_LIMITS.maxSubjectAttributes} are accepted`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = cert.publicKey;
  } catch (error) {
    // Mangled key bytes or an algorithm OpenSSL cannot decode: nothing can verify it (SPEC REG-2).
    throw new CertificateParseError(`a certificate whose public key cannot be decoded (${(error as Error).message})`);
  }
  const legacy = cert.toLegacyObject();
  const subject = (legacy.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const seen = new Set<string>();
  const emails: string[] = [];
  for (const raw of [...asList(subject.CN), ...asList(subject.emailAddress), ...sanEmails(cert.subjectAltName)]) {
    const email = raw.trim().toLowerCase();
    if (email.length === 0 || seen.has(email)) continue;
    seen.add(email);
    emails.push(email);
  }
  const keyType = publicKey.asymmetricKeyType ?? 'unknown';
  const details = publicKey.asymmetricKeyDetails ?? {};
  const isRsa = keyType === 'rsa' || keyType === 'rsa-pss';
  let verified: boolean | undefined;
  const facts: CertificateFacts = {
    fingerprintSha256: fingerprintOfDer(cert.raw),
    emails,
    notBeforeMs: Date.parse(cert.validFrom),
    notAfterMs: Date.parse(cert.validTo),
    keyType,
    keyBits: details.modulusLength ?? null,
    rsaPublicExponent: isRsa ? (details.publicExponent ?? null) : null,
    ecCurve: keyType === 'ec' ? (details.namedCurve ?? null) : null,
    rsaPssParameters:
      keyType === 'rsa-pss' && details.hashAlgorithm
        ? { hashAlgorithm: details.hashAlgorithm, mgf1HashAlgorithm: details.mgf1HashAlgorithm ?? null, saltLength: details.saltLength ?? null }
        : null,
    get selfSignatureValid() {
      verified ??= verifySignature(cert, publicKey);
      return verified;
    },
  };
  return facts;
}

export function createX509Inspector(options: X509InspectorOptions = {}): CertificateInspector {
  return { inspect: (pem) => inspectCertificate(pem, options), fingerprintOfDer };
}

export const x509Inspector: CertificateInspector = createX509Inspector();

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

// --- A minimal DER walker: counts names without asking OpenSSL to render them. ---

interface Tlv {
  tag: number;
  /** Content start and end (exclusive). */
  start: number;
  end: number;
}

const SAN_OID = Buffer.from([0x55, 0x1d, 0x11]); // 2.5.29.17

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  const fail = (): never => {
    throw new CertificateParseError('a certificate that is not DER-encoded');
  };
  if (at + 2 > limit) fail();
  const tag = der[at] as number;
  if ((tag & 0x1f) === 0x1f) fail();
  const first = der[at + 1] as number;
  let length = first;
  let start = at + 2;
  if (first >= 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 3 || start + octets > limit) fail();
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] as number);
    start += octets;
  }
  if (start + length > limit) fail();
  return { tag, start, end: start + length };
}

function childrenOf(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(der, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** SAN entries (all SAN extensions summed) and subject attributes, from the DER OpenSSL already accepted. */
function countNames(der: Uint8Array): { sanEntries: number; subjectAttributes: number } {
  const certificate = readTlv(der, 0, der.length);
  const tbs = childrenOf(der, certificate)[0];
  if (!tbs) throw new CertificateParseError('a certificate without a TBSCertificate');
  const fields = childrenOf(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version, when present
  const subject = fields[offset + 4];
  let subjectAttributes = 0;
  if (subject) for (const rdn of childrenOf(der, subject)) subjectAttributes += childrenOf(der, rdn).length;
  let sanEntries = 0;
  const tagged = fields.find((f) => f.tag === 0xa3); // [3] extensions
  const list = tagged ? childrenOf(der, tagged)[0] : undefined;
  for (const extension of list ? childrenOf(der, list) : []) {
    const parts = childrenOf(der, extension);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (!id || !value || id.tag !== 0x06 || value.tag !== 0x04) continue;
    if (!Buffer.from(der.buffer, der.byteOffset + id.start, id.end - id.start).equals(SAN_OID)) continue;
    const names = readTlv(der, value.start, value.end);
    sanEntries += childrenOf(der, names).length;
  }
  return { sanEntries, subjectAttributes };
}
