/**
 * What keeps a local UI local (issue 12, "Security of a local UI"):
 *
 * - Host must be exactly the loopback address and port we listen on, so a
 *   page on another site that rebinds its DNS name to 127.0.0.1 is refused
 *   (its requests carry its own name as Host).
 * - Every /bridge/ call carries the per-run token in a header; the page
 *   reads it from its URL fragment, which never leaves the browser.
 *   A header also means a foreign page would need a CORS preflight, which
 *   the bridge never grants (it sends no Access-Control-* header at all).
 * - An Origin, when the browser sends one, must be ours.
 * - Every answer carries a CSP that runs scripts from our origin only,
 *   with no inline script, and forbids framing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BRIDGE_TOKEN_HEADER } from './bridge-contract.ts';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** `host:port` as a browser writes it in Host and Origin: IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export type GuardRefusal = { status: 403 | 401; code: 'host_forbidden' | 'origin_forbidden' | 'token_required'; error: string; hint: string };

export function checkHost(req: IncomingMessage, expected: string): GuardRefusal | null {
  const host = req.headers.host ?? '';
  if (host === expected) return null;
  return {
    status: 403,
    code: 'host_forbidden',
    error: `Host ${JSON.stringify(host.slice(0, 100))} is not this UI's address`,
    hint: `open http://${expected}/ with the link relaylab printed`,
  };
}

export function checkOrigin(req: IncomingMessage, expected: string): GuardRefusal | null {
  const origin = req.headers.origin;
  // Browsers send Origin on every POST/DELETE and on cross-origin GETs; a same-origin GET may omit it.
  if (origin === undefined || origin === `http://${expected}`) return null;
  return { status: 403, code: 'origin_forbidden', error: `requests from ${origin.slice(0, 100)} are not allowed`, hint: 'only the RemoteHouse page itself may call its bridge' };
}

export function checkToken(req: IncomingMessage, token: string): GuardRefusal | null {
  const given = req.headers[BRIDGE_TOKEN_HEADER];
  if (typeof given === 'string' && sameSecret(given, token)) return null;
  return {
    status: 401,
    code: 'token_required',
    error: given === undefined ? 'this call needs the RemoteHouse token' : 'wrong RemoteHouse token',
    hint: 'open the link relaylab printed (it ends in #t=...); a restarted peer prints a new one',
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * connect-src and img/media-src allow http: because the page fetches from
 * Peer Servers at addresses only the relay knows; scripts and styles stay
 * same-origin, and the token never goes there (it is sent to the bridge only).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' http: https:",
  "img-src 'self' http: https: blob: data:",
  "media-src 'self' http: https: blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};
