/**
 * Reads a relay lookup answer (issue 2: 200 `{email, status, port,
 * addresses, last_seen, broadcast_expires}`) into what try-order needs, and
 * names every other answer with a stable code. Pure.
 */
import type { RelayReply } from './ports.ts';

export type LookupResult =
  | { kind: 'found'; email: string; port: number; addresses: string[] }
  /** 404: unknown to the relay, or its broadcast expired. */
  | { kind: 'not_found' }
  | { kind: 'error'; code: 'relay_unreachable' | 'lookup_unauthorized' | 'lookup_failed' | 'malformed_lookup_reply'; message: string };

export function readLookupReply(reply: RelayReply): LookupResult {
  if (reply.kind === 'unreachable') return { kind: 'error', code: 'relay_unreachable', message: reply.message };
  if (reply.status === 404) return { kind: 'not_found' };
  if (reply.status === 401) return { kind: 'error', code: 'lookup_unauthorized', message: 'the relay does not know our certificate (401): register first' };
  if (reply.status !== 200) return { kind: 'error', code: 'lookup_failed', message: `lookup answered HTTP ${reply.status}` };
  const body = reply.body as { email?: unknown; port?: unknown; addresses?: unknown } | null;
  const port = body?.port;
  const addresses = body?.addresses;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || !Array.isArray(addresses) || !addresses.every((a) => typeof a === 'string')) {
    return { kind: 'error', code: 'malformed_lookup_reply', message: 'lookup answered 200 without a valid port and address list' };
  }
  return { kind: 'found', email: typeof body?.email === 'string' ? body.email : '', port, addresses: addresses as string[] };
}
