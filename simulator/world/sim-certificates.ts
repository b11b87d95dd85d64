/**
 * Simulated identities. Generating a real key pair per virtual peer would
 * cost seconds per thousand peers, so the simulator injects its own
 * CertificateInspector into the unchanged RelayCore: a "certificate" is a
 * PEM-shaped token carrying the email and a fingerprint, and the inspector
 * reads those facts back. The relay's rules (email must match, fingerprint
 * is the credential) still run as written.
 */
import { CertificateParseError, type CertificateFacts, type CertificateInspector } from '../../reference/identity/inspect.ts';

// Short on purpose: the relay keeps every registered PEM, and a million of them add up.
const HEADER = '-----BEGIN SIM-----';
const FOOTER = '-----END SIM-----';
const VALID_FOR_MS = 100 * 365 * 86_400_000;

export interface SimIdentity {
  email: string;
  readonly fingerprintSha256: string;
  /** Built when asked (only registration needs it): a million peers need not hold one each. */
  readonly certificatePem: string;
}

/**
 * A deterministic identity for peer number `index`. The fingerprint is
 * unique per index; it is a short token, not 64 hex digits, because the
 * relay core only ever compares fingerprints (SPEC AUTH-3) and the peer and
 * the relay each hold one per peer.
 */
export function simIdentity(index: number): SimIdentity {
  // Joined, not concatenated: one flat string each rather than a cons-string tree kept for the whole run.
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`a simulated identity's index is a non-negative integer, got ${index}`);
  return new SimulatedIdentity([EMAIL_PREFIX, String(index), EMAIL_SUFFIX].join(''), index);
}

const EMAIL_PREFIX = 'peer';
const EMAIL_SUFFIX = '@sim.test';
const FINGERPRINT_PREFIX = 'sim:';

/**
 * The peer index in a simIdentity email (`peer17@sim.test` -> 17), or null
 * for any other email: what /^peer(\d+)@sim\.test$/ and Number() give,
 * read without a regex (the truth does it for every lookup answered).
 */
export function simPeerIndex(email: string): number | null {
  const end = email.length - EMAIL_SUFFIX.length;
  if (end <= EMAIL_PREFIX.length || !email.startsWith(EMAIL_PREFIX) || !email.endsWith(EMAIL_SUFFIX)) return null;
  for (let at = EMAIL_PREFIX.length; at < end; at++) {
    const code = email.charCodeAt(at);
    if (code < 48 || code > 57) return null;
  }
  return Number(email.slice(EMAIL_PREFIX.length, end));
}

/**
 * A class, not an object literal with a getter: a literal with an accessor
 * gets its own property backing store and a closure per peer (~400 bytes at
 * a million peers each); here the getter lives once on the prototype.
 */
class SimulatedIdentity implements SimIdentity {
  constructor(
    readonly email: string,
    private readonly index: number,
  ) {}

  /**
   * Made on each read (a request's principal), not kept: every peer that
   * ever joined keeps its identity, and a kept token is 32 bytes each.
   * Short enough that V8 builds it flat.
   */
  get fingerprintSha256(): string {
    return FINGERPRINT_PREFIX + this.index.toString(16);
  }

  get certificatePem(): string {
    return `${HEADER}\n${this.email}\n${this.fingerprintSha256}\n${FOOTER}\n`;
  }
}

export const simCertificateInspector: CertificateInspector = {
  inspect(pem: string): CertificateFacts {
    const lines = pem.trim().split('\n');
    if (lines.length !== 4 || lines[0] !== HEADER || lines[3] !== FOOTER) throw new CertificateParseError('not a simulated certificate');
    return {
      fingerprintSha256: lines[2] as string,
      emails: [(lines[1] as string).toLowerCase()],
      notBeforeMs: 0,
      notAfterMs: VALID_FOR_MS,
      keyType: 'ec',
      keyBits: 256,
      selfSignatureValid: true,
    };
  },
  fingerprintOfDer(): string {
    throw new Error('simulated certificates have no DER form');
  },
};
