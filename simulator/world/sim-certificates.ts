/**
 * Simulated identities. Generating a real key pair per virtual peer would
 * cost seconds per thousand peers, so the simulator injects its own
 * CertificateInspector into the unchanged RelayCore: a "certificate" is a
 * PEM-shaped token carrying the email and a fingerprint, and the inspector
 * reads those facts back. The relay's rules (email must match, fingerprint
 * is the credential) still run as written.
 */
import { CertificateParseError, type CertificateFacts, type CertificateInspector } from '../../reference/identity/inspect.ts';

const HEADER = '-----BEGIN SIMULATED CERTIFICATE-----';
const FOOTER = '-----END SIMULATED CERTIFICATE-----';
const VALID_FOR_MS = 100 * 365 * 86_400_000;

export interface SimIdentity {
  email: string;
  fingerprintSha256: string;
  /** Built when asked (only registration needs it): a million peers need not hold one each. */
  readonly certificatePem: string;
}

/** A deterministic identity for peer number `index`: the fingerprint is unique per index. */
export function simIdentity(index: number): SimIdentity {
  const email = `peer${index}@sim.test`;
  const fingerprintSha256 = index.toString(16).padStart(64, '0');
  return {
    email,
    fingerprintSha256,
    get certificatePem(): string {
      return `${HEADER}\n${email}\n${fingerprintSha256}\n${FOOTER}\n`;
    },
  };
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
