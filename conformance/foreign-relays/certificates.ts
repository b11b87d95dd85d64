/**
 * Certificate checks for registration, with node:crypto's X509Certificate
 * only (SPEC REG-2, REG-3, REG-8..REG-11), and the fingerprint that is a
 * peer's identity (SPEC AUTH-2: SHA-256 of the DER).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { HttpError } from './errors.ts';

const PEM_BLOCK = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** SHA-256 of the DER, lower-case hex without colons: the identity of a peer. */
export function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The PEM every OpenSSL-based tool writes: 64-column base64, LF endings. */
export function toCanonicalPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * SPEC REG-2: exactly one PEM CERTIFICATE block (surrounding whitespace
 * allowed) whose DER is exactly one certificate. Comparing `raw` with the
 * decoded bytes refuses trailing junk that OpenSSL's parser would skip.
 */
export function parseSingleCertificate(text: string): { certificate: X509Certificate; der: Buffer } {
  const block = PEM_BLOCK.exec(text.trim());
  if (!block) throw new HttpError('invalid_certificate', 'certificate must be exactly one PEM CERTIFICATE block');
  const base64 = (block[1] ?? '').replace(/\s+/g, '');
  if (base64.length === 0 || !BASE64.test(base64)) throw new HttpError('invalid_certificate', 'the PEM block is not valid base64');
  const der = Buffer.from(base64, 'base64');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw new HttpError('invalid_certificate', 'the PEM block is not an X.509 certificate');
  }
  if (!certificate.raw.equals(der)) throw new HttpError('invalid_certificate', 'the PEM block holds bytes beyond the certificate');
  return { certificate, der };
}

/** SPEC REG-2: self-signed, so the signature must verify under the certificate's own key. */
export function checkSelfSignature(certificate: X509Certificate): void {
  let verifies = false;
  try {
    verifies = certificate.verify(certificate.publicKey);
  } catch {
    verifies = false;
  }
  if (!verifies) throw new HttpError('invalid_certificate', 'the certificate signature does not verify under its own public key');
}

/** SPEC REG-9..REG-11: RSA >= 2048 and ECDSA P-256 accepted; Ed25519 refused (REG-11 allows it). */
export function checkKeyType(certificate: X509Certificate): void {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048) return;
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return;
  throw new HttpError('unsupported_key_type', `unsupported key: ${key.asymmetricKeyType ?? 'unknown'}${details.modulusLength ? `-${details.modulusLength}` : ''}${details.namedCurve ? ` ${details.namedCurve}` : ''} (RSA >= 2048 or ECDSA P-256 only)`);
}

/** SPEC REG-8: the registration instant must lie in notBefore..notAfter. */
export function checkValidNow(certificate: X509Certificate, nowMs: number): void {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new HttpError('invalid_certificate', 'the certificate validity dates cannot be read');
  if (nowMs < from || nowMs > to) throw new HttpError('certificate_not_valid_now', 'the certificate is not valid at this time');
}

/** SPEC REG-3: the email in the subject CN or emailAddress (any position), or a SAN rfc822Name. */
export function certificateCarriesEmail(certificate: X509Certificate, email: string): boolean {
  const wanted = email.toLowerCase();
  const subjectValues = subjectEntries(certificate.subject).filter(([key]) => key === 'CN' || key === 'emailAddress').map(([, value]) => value);
  const sanValues = sanEntries(certificate.subjectAltName ?? '').filter(([kind]) => kind === 'email').map(([, value]) => value);
  return [...subjectValues, ...sanValues].some((value) => value.toLowerCase() === wanted);
}

/** node prints the subject one "key=value" per line, RFC 2253-escaped (`\,` `\+` `\"`, `\XX` for control bytes). */
function subjectEntries(subject: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const line of subject.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const value = line.slice(at + 1).replace(/\\([0-9A-Fa-f]{2}|.)/g, (_, escaped: string) => (escaped.length === 2 ? String.fromCharCode(parseInt(escaped, 16)) : escaped));
    entries.push([line.slice(0, at), value]);
  }
  return entries;
}

/** node prints SANs as `email:a@b, DNS:x`, JSON-quoting values that hold commas or non-ASCII. */
function sanEntries(text: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const match of text.matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = match[2] ?? '';
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        continue;
      }
    }
    entries.push([match[1] ?? '', value]);
  }
  return entries;
}
