/**
 * Who is calling (SPEC AUTH-1, AUTH-5): the certificate on the TLS
 * connection, or, only on connections from a trusted proxy, the PEM the
 * proxy forwarded in a header. A header from anywhere else is ignored.
 */
import { createHash } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Principal } from '../core/types.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { ipVersion } from '../../shared/ip.ts';
import { RelaySetupError } from './relay-setup-error.ts';

export interface ProxyTrust {
  headerName: string;
  trusted: BlockList;
}

export interface PrincipalResult {
  principal: Principal | null;
  /** A line for the operator's log; repeats are rate-limited by the edge, grouped by `warningKey`. */
  warning?: string;
  warningKey?: string;
  /** Set when the request must be refused instead of served (4xx with this code). */
  refusal?: { code: ErrorCode; message: string };
  /**
   * The client's address (SPEC EXT-3): the TCP peer, or, on a connection from
   * a trusted proxy, the nearest untrusted hop of its X-Forwarded-For; null
   * when a trusted proxy forwarded none (its own address is not the client's).
   */
  clientAddress?: string | null;
}

export type PrincipalExtractor = (request: IncomingMessage) => PrincipalResult;

/**
 * Parses `10.0.0.0/8`, `::1/128`, or a bare address (a single host). Strict on
 * purpose: each entry decides who may assert any client identity (SPEC AUTH-5),
 * so a typo must stop the relay, never widen the rule. (`10.0.0.1/` once read as
 * /0, trusting every IPv4 address, and `10.0.0.1/8/32` as /8.)
 */
export function parseTrustedProxies(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { address, bits, family } = parseCidr(cidr);
    list.addSubnet(address, bits, family);
  }
  return list;
}

function parseCidr(cidr: string): { address: string; bits: number; family: 'ipv4' | 'ipv6' } {
  const refuse = (why: string): never => {
    throw new RelaySetupError('invalid_trusted_proxy', `--trusted-proxy ${JSON.stringify(cidr)}: ${why}; give an address or CIDR such as 10.0.0.0/8 or ::1/128`);
  };
  const parts = cidr.split('/');
  if (parts.length > 2) refuse('more than one "/"');
  const [address = '', bitsText] = parts;
  const version = ipVersion(address);
  if (version === null) return refuse(`${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
  const maxBits = version === 4 ? 32 : 128;
  if (bitsText === undefined) return { address, bits: maxBits, family: version === 4 ? 'ipv4' : 'ipv6' };
  if (!/^[0-9]{1,3}$/.test(bitsText) || Number(bitsText) > maxBits) refuse(`prefix length must be a number from 0 to ${maxBits}`);
  return { address, bits: Number(bitsText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The peer certificate never changes on a connection: compute its fingerprint once per socket. */
const principalBySocket = new WeakMap<object, Principal | null>();

export function tlsPrincipal(request: IncomingMessage): Principal | null {
  const socket = request.socket as TLSSocket;
  const cached = principalBySocket.get(socket);
  if (cached !== undefined) return cached;
  let principal: Principal | null = null;
  if (typeof socket.getPeerCertificate === 'function') {
    const certificate = socket.getPeerCertificate(false);
    if (certificate?.raw) principal = { fingerprintSha256: createHash('sha256').update(certificate.raw).digest('hex'), source: 'tls' };
  }
  principalBySocket.set(socket, principal);
  return principal;
}

export function makePrincipalExtractor(proxy: ProxyTrust | null): PrincipalExtractor {
  if (!proxy) return (request) => ({ principal: tlsPrincipal(request), clientAddress: remoteAddress(request) || null });
  const identify = makeHeaderExtractor(proxy);
  return (request) => {
    const result = identify(request);
    const remote = remoteAddress(request);
    return { ...result, clientAddress: isTrusted(proxy.trusted, remote) ? forwardedClient(request, proxy.trusted) : remote || null };
  };
}

/**
 * X-Forwarded-For read from the right: each trusted proxy appends the
 * address it was connected from, so the first hop that is not a trusted
 * proxy is the client. Anything to its left was written by the client.
 */
export function forwardedClient(request: IncomingMessage, trusted: BlockList): string | null {
  const hops = (request.headersDistinct['x-forwarded-for'] ?? []).join(',').split(',').map((h) => unmapped(h.trim())).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = hops[i] as string;
    if (ipVersion(hop) === null) return null;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return null;
}

function makeHeaderExtractor(proxy: ProxyTrust): PrincipalExtractor {
  const header = proxy.headerName.toLowerCase();
  return (request) => {
    // headersDistinct: Node joins repeated unknown headers with ", ", which would hide a second copy.
    const values = request.headersDistinct[header];
    if (values === undefined || values.length === 0) return { principal: tlsPrincipal(request) };
    const remote = remoteAddress(request);
    if (!isTrusted(proxy.trusted, remote)) {
      return { principal: tlsPrincipal(request), warning: `ignored ${proxy.headerName} header from untrusted address ${remote}`, warningKey: 'untrusted_certificate_header' };
    }
    // Two headers, or two certificates in one, could mean a proxy that appends instead of replacing
    // (so the first may be the client's own); taking either would be a guess. Refuse.
    if (values.length > 1) {
      return { principal: null, refusal: { code: 'ambiguous_client_certificate', message: `${values.length} ${proxy.headerName} headers; send exactly one` } };
    }
    const parsed = certificatesFromHeader(values[0] ?? '');
    if (parsed.kind === 'many') {
      return { principal: null, refusal: { code: 'ambiguous_client_certificate', message: `the ${proxy.headerName} header holds more than one certificate; send exactly one` } };
    }
    if (parsed.kind === 'none') return { principal: null, warning: `${proxy.headerName} header from ${remote} holds no PEM certificate`, warningKey: 'certificate_header_without_pem' };
    return { principal: { fingerprintSha256: createHash('sha256').update(parsed.der).digest('hex'), source: 'header' } };
  };
}

function remoteAddress(request: IncomingMessage): string {
  return unmapped(request.socket.remoteAddress ?? '');
}

/** ::ffff:192.0.2.1 (a dual-stack socket's IPv4 peer) is 192.0.2.1. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  if (!address) return false;
  return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

/** Accepts raw PEM (newlines possibly folded to spaces) or URL-encoded PEM, as nginx's $ssl_client_escaped_cert sends. */
export function derFromHeader(value: string): Buffer | null {
  const parsed = certificatesFromHeader(value);
  return parsed.kind === 'one' ? parsed.der : null;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** The certificate in a header value: exactly one, none (or unreadable), or more than one (ambiguous). */
export function certificatesFromHeader(value: string): { kind: 'one'; der: Buffer } | { kind: 'none' } | { kind: 'many' } {
  let text = value;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return { kind: 'none' };
    }
  }
  // Counted by their BEGIN lines too, so a second block that is malformed still makes the value ambiguous.
  if ((text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length > 1) return { kind: 'many' };
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length > 1) return { kind: 'many' };
  const body = blocks[0]?.[1];
  if (!body) return { kind: 'none' };
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  return der.length > 0 ? { kind: 'one', der } : { kind: 'none' };
}
