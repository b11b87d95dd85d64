/** Mutants of robustness against hostile clients (ROB). */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import { CertificateParseError, fingerprintOfDer, sanEmails, type CertificateFacts } from '../../reference/identity/inspect.ts';
import { makePrincipalExtractor, type PrincipalExtractor, type ProxyTrust } from '../../reference/relay/http/principal.ts';
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

const FIRST_PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/**
 * The certificate header read as most code reads a header: `req.headers[name]`,
 * where Node joins repeated lines with ", ", decoded, and the first PEM block
 * in it taken. The reference's own extractor then sees that one certificate.
 */
function firstCertificateWins(proxy: ProxyTrust | null): PrincipalExtractor {
  const reference = makePrincipalExtractor(proxy);
  if (!proxy) return reference;
  const name = proxy.headerName.toLowerCase();
  return (request) => {
    const joined = request.headers[name];
    if (typeof joined !== 'string') return reference(request);
    let text = joined;
    try {
      if (text.includes('%')) text = decodeURIComponent(text);
    } catch {
      return reference(request);
    }
    const first = FIRST_PEM.exec(text)?.[0];
    if (!first) return reference(request);
    const single = Object.create(request, { headersDistinct: { value: { ...request.headersDistinct, [name]: [first] } } }) as IncomingMessage;
    return reference(single);
  };
}

export const ROBUSTNESS_MUTANTS: Mutant[] = [
  {
    // Its one failing attempt takes the full 60 s: not rerun (the reference closes the same sockets after 10 s; no load delays a timer by 50 s).
    name: 'node-default-handshake-timeout', breaks: ['ROB-1'], only: ['ROB-1/*'], reruns: 0,
    description: "keeps connections that have not finished their TLS handshake for node:https's default 120 s, so silent and half-ClientHello connections stay open past 60 s",
    build: () => ({ relayOptions: { handshakeTimeoutMs: 120_000 } }),
  },
  {
    name: 'total-connection-cap-only', breaks: ['ROB-2'], only: ['ROB-2/*'],
    description: "caps connections in total (150) but not per source address: one address's 200 slow connections take every slot, and the cap closes honest clients' idle keep-alive connections to make room for them",
    build: () => ({ relayOptions: { maxConnections: 150, maxConnectionsPerAddress: Infinity } }),
  },
  {
    name: 'unbounded-certificate-check', breaks: ['ROB-3'], description: 'verifies the self-signature first with any exponent, reads certificates of any size and de-duplicates SAN emails quadratically',
    build: () => ({ wrap: (core, deps) => new RelayCore({ ...deps, certificates: { ...deps.certificates, inspect: naiveInspect } }) }),
  },
  {
    name: 'first-certificate-header-wins', breaks: ['ROB-4'], only: ['ROB-4/*'], target: { auth: { kind: 'header', headerName: 'x-ssl-cert' } },
    description: 'behind a trusted proxy, reads the certificate header as Node joins repeated lines (req.headers) and takes the first PEM block in it: two headers, or two certificates in one, authenticate as the first',
    build: () => ({ principalOf: firstCertificateWins }),
  },
  {
    name: 'capabilities-reserialised', breaks: ['ROB-5'], description: 'parses the ready body with JSON.parse and re-serialises it, so 1e400, 2^53+1, -0 and duplicate keys are stored changed',
    build: () => ({ wrap: (core) => around(core, (request, next) => next(request.path === READY ? { ...request, bodyText: reserialised(request.bodyText) } : request)) }),
  },
];
