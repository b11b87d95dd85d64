/**
 * The relay half of the seed's Tauri commands (`query_relay_peers`, and
 * the lookup inside `connect_to_peer`) as library calls over this peer's
 * authenticated relay client. Answers are read defensively: a relay that is
 * not ours may send extra fields, ISO times instead of unix seconds, or
 * items we cannot use; an unusable item is skipped and counted, never a crash.
 */
import { RELAY_LIMITS } from '../../shared/protocol.ts';
import { readLookupReply, type LookupResult } from '../core/lookup-reply.ts';
import type { RelayPort, RelayReply as CoreReply } from '../core/ports.ts';
import { RelayClient, type RelayReply } from '../http/relay-client.ts';
import { ask, relayPortOver } from '../http/relay-port.ts';

export interface OnlinePeer {
  email: string;
  port: number;
  addresses: string[];
  /** From `last_seen` (unix seconds per SPEC; an ISO string is read too), or null when absent or unreadable. */
  lastSeenMs: number | null;
}

export interface PeersPage {
  peers: OnlinePeer[];
  /** The relay's cursor for the next page; null on the last page. */
  nextCursor: string | null;
  /** Relay items looked at (a filter may walk several relay pages). */
  scanned: number;
  /** Items the relay sent that were not `{email, port, addresses}`: left out. */
  skipped: number;
}

export interface PeersQuery {
  /** Page size 1..1000 (SPEC LIST-4); the relay's default (100) when absent. */
  limit?: number;
  cursor?: string;
  /** Case-insensitive text that an email or an address must contain. */
  filter?: string;
  /** With a filter: stop walking after this many relay items (default 10,000), so a miss costs bounded time. */
  maxScan?: number;
  /** With a filter: the relay page size to walk with (default 1000, the most LIST-4 allows). */
  relayPageSize?: number;
}

/** A relay answer that is not what the protocol promises, or no answer at all. */
export class RelayCallError extends Error {
  constructor(
    readonly code: 'relay_unreachable' | 'relay_refused' | 'malformed_reply',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RelayCallError';
  }
}

export const MAX_LIST_LIMIT = RELAY_LIMITS.maxListLimit;
const DEFAULT_MAX_SCAN = 10_000;

/** One page of online peers (SPEC LIST), optionally filtered by text across relay pages. */
export async function queryRelayPeers(client: RelayClient, query: PeersQuery = {}): Promise<PeersPage> {
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIST_LIMIT)) {
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${String(query.limit)}`);
  }
  const needle = query.filter?.trim().toLowerCase() ?? '';
  if (needle === '') return readPage(await listOnce(client, query.limit, query.cursor));
  // Whole relay pages only: a page cut short could not be resumed from the relay's cursor.
  const wanted = query.limit ?? 100;
  const maxScan = query.maxScan ?? DEFAULT_MAX_SCAN;
  const out: PeersPage = { peers: [], nextCursor: query.cursor ?? null, scanned: 0, skipped: 0 };
  do {
    const page = readPage(await listOnce(client, query.relayPageSize ?? MAX_LIST_LIMIT, out.nextCursor ?? undefined));
    out.peers.push(...page.peers.filter((p) => matches(p, needle)));
    out.scanned += page.scanned;
    out.skipped += page.skipped;
    out.nextCursor = page.nextCursor;
  } while (out.nextCursor !== null && out.peers.length < wanted && out.scanned < maxScan);
  return out;
}

function matches(peer: OnlinePeer, needle: string): boolean {
  return peer.email.includes(needle) || peer.addresses.some((a) => a.toLowerCase().includes(needle));
}

async function listOnce(client: RelayClient, limit: number | undefined, cursor: string | undefined): Promise<RelayReply> {
  try {
    return await client.list({ ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) });
  } catch (error) {
    throw new RelayCallError('relay_unreachable', 0, (error as Error).message);
  }
}

/** One relay list answer, read defensively (exported for tests of foreign answers). */
export function readPage(reply: Pick<RelayReply, 'status' | 'body' | 'nextCursor'>): PeersPage {
  if (reply.status !== 200) {
    const body = reply.body as { code?: unknown; error?: unknown } | null;
    const said = typeof body?.code === 'string' ? ` (${body.code}${typeof body.error === 'string' ? `: ${body.error}` : ''})` : '';
    throw new RelayCallError('relay_refused', reply.status, `the relay answered the list with HTTP ${reply.status}${said}`);
  }
  // SPEC LIST-1 says an array; a relay that wraps it in {peers: [...]} is read too.
  const items: unknown = Array.isArray(reply.body) ? reply.body : (reply.body as { peers?: unknown } | null)?.peers;
  if (!Array.isArray(items)) throw new RelayCallError('malformed_reply', 200, 'the relay answered the list with something other than a JSON array');
  const peers = items.map(readPeer).filter((p): p is OnlinePeer => p !== null);
  return { peers, nextCursor: reply.nextCursor ?? null, scanned: items.length, skipped: items.length - peers.length };
}

function readPeer(item: unknown): OnlinePeer | null {
  const v = item as { email?: unknown; port?: unknown; addresses?: unknown; last_seen?: unknown } | null;
  if (typeof v?.email !== 'string' || typeof v.port !== 'number' || !Array.isArray(v.addresses)) return null;
  return { email: v.email.toLowerCase(), port: v.port, addresses: v.addresses.filter((a): a is string => typeof a === 'string'), lastSeenMs: readTime(v.last_seen) };
}

function readTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** One lookup (SPEC LOOKUP), every answer named: found, not_found, or an error with a stable code. */
export async function lookupPeer(relay: RelayClient | RelayPort, email: string): Promise<LookupResult> {
  const port = relay instanceof RelayClient ? relayPortOver(relay) : relay;
  const reply: CoreReply = await ask((done) => port.lookup(email, done));
  return readLookupReply(reply);
}
