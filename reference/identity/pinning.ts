/**
 * Certificate pinning for clients that dial a relay by whatever name or
 * address reaches it. When the trusted PEM is the relay's own (self-signed)
 * certificate, meeting exactly that certificate is the proof of identity,
 * whichever name was dialled: a relay on 0.0.0.0, or a container reached
 * through a Docker gateway address, answers under many. When the PEM is a
 * CA, the usual hostname check applies. A bundle of several certificates
 * pins each of them.
 */
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export type ServerIdentityCheck = (host: string, cert: PeerCertificate) => Error | undefined;

export interface PinnedTrust {
  ca?: string;
  checkServerIdentity?: ServerIdentityCheck;
}

/**
 * The TLS connect options that trust `trustedPem` by the rule above; none
 * when there is no PEM (the system's CAs apply). Every client takes both
 * together from here: `ca` alone would bring back the host-name check that
 * fails a relay dialled under an address its certificate does not name.
 */
export function pinnedTrust(trustedPem: string | null | undefined): PinnedTrust {
  return trustedPem ? { ca: trustedPem, checkServerIdentity: pinnedIdentityCheck(trustedPem) } : {};
}

function pinnedIdentityCheck(trustedPem: string): ServerIdentityCheck {
  const pinned = certificatesIn(trustedPem);
  return (host, cert) => (cert.raw && pinned.some((raw) => raw.equals(cert.raw)) ? undefined : checkServerIdentity(host, cert));
}

function certificatesIn(pem: string): Buffer[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const raws: Buffer[] = [];
  for (const block of blocks) {
    try {
      raws.push(new X509Certificate(block).raw);
    } catch {
      // An undecodable block pins nothing; TLS itself will refuse the PEM.
    }
  }
  return raws;
}
