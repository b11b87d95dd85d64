/**
 * Who is calling. Over HTTPS the certificate of the TLS connection
 * (SPEC GEN-3); behind a TLS-terminating proxy, the certificate the proxy
 * put in a header, believed only from the proxy's own addresses (SPEC AUTH-5).
 * The identity is the SHA-256 of the DER (SPEC AUTH-2, AUTH-3), unless the
 * pemTextIdentity defect compares PEM text instead.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { fingerprintOf, toCanonicalPem } from './certificates.ts';
import { HttpError } from './errors.ts';
import type { RelaySettings } from './options.ts';
import type { MemoryTables, PeerRow } from './store.ts';

/** The DER of the certificate the client presented, or null for an anonymous request. */
export function presentedCertificate(request: IncomingMessage, settings: RelaySettings): Buffer | null {
  if (settings.transport === 'https') {
    const peer = (request.socket as TLSSocket).getPeerCertificate?.();
    return peer && Buffer.isBuffer(peer.raw) && peer.raw.length > 0 ? peer.raw : null;
  }
  if (!headerIsTrusted(request.socket.remoteAddress, settings.trustHeaderFrom)) return null; // AUTH-5: ignored, not refused
  const value = request.headers[settings.certHeader];
  return typeof value === 'string' ? certificateFromHeader(value) : null;
}

/** DEFECT trustHeaderFrom 'anyone': every client can claim any registered certificate. */
function headerIsTrusted(remoteAddress: string | undefined, trusted: 'anyone' | string[]): boolean {
  if (trusted === 'anyone') return true;
  if (!remoteAddress) return false;
  const address = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice('::ffff:'.length) : remoteAddress;
  return trusted.includes(address) || trusted.includes(remoteAddress);
}

/** nginx's $ssl_client_escaped_cert is URL-encoded; others send the PEM on one line or bare base64. */
function certificateFromHeader(value: string): Buffer | null {
  let text = value;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  const inner = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text)?.[1] ?? text;
  const base64 = inner.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  try {
    return new X509Certificate(Buffer.from(base64, 'base64')).raw;
  } catch {
    return null;
  }
}

/** What the peers table is keyed by, for a certificate given at registration as `pemText`. */
export function registrationKey(der: Buffer, pemText: string, settings: RelaySettings): string {
  // DEFECT pemTextIdentity: the text as sent (only a trailing newline forgiven), so CRLF, 76 columns or
  // leading blank lines make another "certificate" that no TLS certificate ever matches.
  return settings.pemTextIdentity ? pemText.trimEnd() : fingerprintOf(der);
}

/** SPEC AUTH-1, AUTH-2, AUTH-4: the registered peer behind the request. */
export function authenticate(der: Buffer | null, tables: MemoryTables, settings: RelaySettings): PeerRow {
  if (der === null) throw new HttpError('client_certificate_required', 'a client certificate is required');
  const key = settings.pemTextIdentity ? toCanonicalPem(der).trimEnd() : fingerprintOf(der);
  const peer = tables.peerByCertKey(key);
  if (!peer) throw new HttpError('certificate_not_registered', 'this client certificate is not registered');
  // AUTH-6, our way: the expiry of the certificate in hand, not a stored copy.
  if (Date.parse(new X509Certificate(der).validTo) < settings.now()) throw new HttpError('certificate_expired', 'your certificate has expired');
  return peer;
}
