/** Mutants of robustness against hostile clients (ROB). */
import { X509Certificate } from 'node:crypto';
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import { CertificateParseError, fingerprintOfDer, sanEmails, type CertificateFacts } from '../../reference/identity/inspect.ts';
import { around, type Mutant } from './mutant.ts';

const READY = '/api/relay/broadcast/ready';

/**
 * A naive inspector: no size or name-count bounds, the self-signature
 * verified first whatever the key (an unbounded RSA exponent included), no
 * exponent reported so no rule can refuse it, and a quadratic de-dup of the
 * emails (indexOf for each). The costly certificates of ROB-3 get registered.
 */
function naiveInspect(pem: string): CertificateFacts {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw new CertificateParseError(`not a valid X.509 certificate (${(error as Error).message})`);
  }
  const publicKey = cert.publicKey;
  let selfSignatureValid = false;
  try {
    selfSignatureValid = cert.verify(publicKey);
  } catch {
    selfSignatureValid = false;
  }
  const subject = (cert.toLegacyObject().subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const raw = [...list(subject.CN), ...list(subject.emailAddress), ...sanEmails(cert.subjectAltName)].map((e) => e.trim().toLowerCase()).filter(Boolean);
  const emails = raw.filter((e, i) => raw.indexOf(e) === i);
  const details = publicKey.asymmetricKeyDetails ?? {};
  return {
    fingerprintSha256: fingerprintOfDer(cert.raw),
    emails,
    notBeforeMs: Date.parse(cert.validFrom),
    notAfterMs: Date.parse(cert.validTo),
    keyType: publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: details.modulusLength ?? null,
    selfSignatureValid,
  };
}

/** Re-serialises a ready's JSON text as JSON.parse reads it: numbers rounded, the last of duplicate keys kept. */
function reserialised(text: string | null): string | null {
  try {
    return JSON.stringify(JSON.parse(text ?? ''));
  } catch {
    return text;
  }
}

export const ROBUSTNESS_MUTANTS: Mutant[] = [
  {
    name: 'unbounded-certificate-check', breaks: ['ROB-3'], description: 'verifies the self-signature first with any exponent, reads certificates of any size and de-duplicates SAN emails quadratically',
    build: () => ({ wrap: (core, deps) => new RelayCore({ ...deps, certificates: { ...deps.certificates, inspect: naiveInspect } }) }),
  },
  {
    name: 'capabilities-reserialised', breaks: ['ROB-5'], description: 'parses the ready body with JSON.parse and re-serialises it, so 1e400, 2^53+1, -0 and duplicate keys are stored changed',
    build: () => ({ wrap: (core) => around(core, (request, next) => next(request.path === READY ? { ...request, bodyText: reserialised(request.bodyText) } : request)) }),
  },
];
