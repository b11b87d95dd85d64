/** Mutants of broadcasts, lookup, list and expiry (READY, HB, LOOKUP, LIST, EXP). */
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import type { RelayCoreDeps } from '../../reference/relay/core/relay-core.ts';
import type { RelayRequest, RelayResponse, RelayStore } from '../../reference/relay/core/types.ts';
import { around, codeOf, errorResponse, okResponse, onRequestBody, onResponse, jsonObject, type Mutant, type MutantBuild } from './mutant.ts';

const READY = '/api/relay/broadcast/ready';
const HEARTBEAT = '/api/relay/broadcast/heartbeat';
const LOOKUP = '/api/relay/broadcast/lookup';
const LIST = '/api/relay/broadcast/list';

/** Rebuilds the core over a store with some methods replaced. */
function withStore(change: (inner: RelayStore, deps: RelayCoreDeps) => Partial<RelayStore>): MutantBuild {
  return {
    wrap: (_core, deps) => {
      const inner = deps.store;
      const changed = change(inner, deps);
      const store = new Proxy(inner, { get: (target, key) => (key in changed ? changed[key as keyof RelayStore] : (target as unknown as Record<PropertyKey, unknown>)[key as string]) });
      return new RelayCore({ ...deps, store });
    },
  };
}

async function emailOf(deps: RelayCoreDeps, fingerprint: string | undefined): Promise<string | null> {
  return fingerprint ? ((await deps.store.findIdentityByFingerprint(fingerprint))?.email ?? null) : null;
}

/** For a heartbeat the core refused with no_live_broadcast: the caller's expired broadcast, if it had one. */
async function expiredBroadcastBehind(deps: RelayCoreDeps, request: RelayRequest, response: RelayResponse) {
  if (request.path !== HEARTBEAT || codeOf(response) !== 'no_live_broadcast') return null;
  const email = await emailOf(deps, request.principal?.fingerprintSha256);
  return email ? deps.store.findLiveBroadcast(email, 0) : null;
}

function mapBody(path: string, fn: (body: Record<string, unknown>) => Record<string, unknown>): MutantBuild {
  return onResponse(path, (r) => (r.status === 200 && r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? { ...r, body: fn(r.body as Record<string, unknown>) } : r));
}

function mapListItems(fn: (items: Array<Record<string, unknown>>) => Array<Record<string, unknown>>): MutantBuild {
  return onResponse(LIST, (r) => (r.status === 200 && Array.isArray(r.body) ? { ...r, body: fn(r.body as Array<Record<string, unknown>>) } : r));
}

export const BROADCAST_MUTANTS: Mutant[] = [
  { name: 'ready-without-broadcast-id', breaks: ['READY-1'], description: 'ready answer lacks broadcast_id', build: () => mapBody(READY, (b) => ({ ...b, broadcast_id: undefined })) },
  { name: 'port-strings-coerced', breaks: ['READY-2'], description: 'accepts "8080" as a port', build: () => onRequestBody(READY, (b) => (typeof b.port === 'string' ? { ...b, port: Number(b.port) } : b)) },
  { name: 'addresses-truncated-to-16', breaks: ['READY-3'], description: 'keeps the first 16 of 17 addresses', build: () => onRequestBody(READY, (b) => (Array.isArray(b.addresses) ? { ...b, addresses: b.addresses.slice(0, 16) } : b)) },
  {
    name: 'crash-on-fractional-port', breaks: ['READY-2', 'ERR-5'], description: 'BigInt(port) throws on 3.5: the generic handler answers 500',
    build: () => ({ wrap: (core) => around(core, (request, next) => {
      const port = request.path === READY ? jsonObject(request.bodyText)?.port : undefined;
      return typeof port === 'number' && !Number.isInteger(port) ? Promise.resolve(errorResponse(500, 'internal_error', 'RangeError: The number 3.5 cannot be converted to a BigInt')) : next(request);
    }) }),
  },
  { name: 'keeps-first-8-addresses', breaks: ['READY-8'], description: 'accepts 16 addresses but stores the first 8', build: () => onRequestBody(READY, (b) => (Array.isArray(b.addresses) ? { ...b, addresses: b.addresses.slice(0, 8) } : b)) },
  { name: 'addresses-deduplicated', breaks: ['READY-4'], description: 'drops duplicate addresses', build: () => onRequestBody(READY, (b) => (Array.isArray(b.addresses) ? { ...b, addresses: [...new Set(b.addresses)] } : b)) },
  { name: 'capabilities-dropped', breaks: ['READY-5'], description: 'forgets capabilities', build: () => onRequestBody(READY, (b) => ({ ...b, capabilities: undefined })) },
  {
    name: 'first-broadcast-kept', breaks: ['READY-6'], description: 'a second ready does not replace a live broadcast',
    build: () => ({
      wrap: (core, deps) => around(core, async (request, next) => {
        const email = request.path === READY ? await emailOf(deps, request.principal?.fingerprintSha256) : null;
        const live = email ? await deps.store.findLiveBroadcast(email, deps.clock.nowMs()) : null;
        return live ? okResponse({ status: 'registered', broadcast_id: live.broadcastId, expires_in: deps.config.ttlSeconds }) : next(request);
      }),
    }),
  },
  {
    name: 'unknown-fields-refused', breaks: ['READY-7'], description: 'refuses fields it does not know',
    build: () => ({
      wrap: (core) => around(core, (request, next) => {
        const body = request.path === READY ? jsonObject(request.bodyText) : null;
        const unknown = body ? Object.keys(body).filter((k) => !['port', 'addresses', 'capabilities'].includes(k)) : [];
        return unknown.length > 0 ? Promise.resolve(errorResponse(400, 'invalid_body')) : next(request);
      }),
    }),
  },
  {
    name: 'sixteen-addresses-refused', breaks: ['READY-8'], description: 'off by one: at most 15 addresses',
    build: () => ({
      wrap: (core) => around(core, (request, next) => {
        const body = request.path === READY ? jsonObject(request.bodyText) : null;
        return Array.isArray(body?.addresses) && body.addresses.length === 16 ? Promise.resolve(errorResponse(400, 'invalid_addresses')) : next(request);
      }),
    }),
  },
  { name: 'heartbeat-says-ok', breaks: ['HB-1'], description: 'heartbeat answers {"status":"ok"}', build: () => mapBody(HEARTBEAT, (b) => ({ ...b, status: 'ok' })) },
  {
    name: 'heartbeat-does-not-extend', breaks: ['HB-1', 'HB-2'], description: 'heartbeat answers alive but keeps the old expiry',
    build: () => withStore((inner) => ({ extendBroadcast: (email: string, nowMs: number) => inner.findLiveBroadcast(email, nowMs) })),
  },
  {
    name: 'heartbeat-without-broadcast-ok', breaks: ['HB-3'], description: 'heartbeat without a broadcast answers alive',
    build: () => onResponse(HEARTBEAT, (r) => (codeOf(r) === 'no_live_broadcast' ? okResponse({ status: 'alive', expires_in: 5, broadcast_expires: Math.floor(Date.now() / 1000) + 5 }) : r)),
  },
  {
    name: 'heartbeat-body-is-a-ready', breaks: ['HB-4'], description: 'a heartbeat carrying port/addresses replaces the broadcast',
    build: () => ({
      wrap: (core) => around(core, async (request, next) => {
        const body = request.path === HEARTBEAT ? jsonObject(request.bodyText) : null;
        if (body && 'port' in body) await next({ ...request, path: READY });
        return next(request);
      }),
    }),
  },
  { name: 'last-seen-in-milliseconds', breaks: ['LOOKUP-1'], description: 'lookup times in milliseconds', build: () => mapBody(LOOKUP, (b) => ({ ...b, last_seen: Number(b.last_seen) * 1000 })) },
  {
    name: 'lookup-case-sensitive', breaks: ['LOOKUP-2'], description: 'lookup of ALICE@X misses alice@x',
    build: () => ({ wrap: (core) => around(core, (request, next) => (request.path === LOOKUP && /[A-Z]/.test(request.query.get('email') ?? '') ? Promise.resolve(errorResponse(404, 'peer_not_found')) : next(request))) }),
  },
  { name: 'unknown-peer-offline-200', breaks: ['LOOKUP-3'], description: 'an unknown peer answers 200 offline', build: () => onResponse(LOOKUP, (r, request) => (codeOf(r) === 'peer_not_found' ? okResponse({ email: request.query.get('email'), status: 'offline' }) : r)) },
  { name: 'missing-email-is-404', breaks: ['LOOKUP-4'], description: 'lookup without email answers 404', build: () => onResponse(LOOKUP, (r) => (codeOf(r) === 'missing_email' ? errorResponse(404, 'peer_not_found') : r)) },
  { name: 'lookup-omits-capabilities', breaks: ['LOOKUP-5'], description: 'lookup never returns capabilities', build: () => mapBody(LOOKUP, ({ capabilities: _, ...rest }) => rest) },
  {
    name: 'heartbeat-after-expiry-alive', breaks: ['HB-3'], description: 'a heartbeat after expiry answers 200 alive (without reviving the broadcast)',
    build: () => ({
      wrap: (core, deps) => around(core, async (request, next) => {
        const response = await next(request);
        const stale = await expiredBroadcastBehind(deps, request, response);
        return stale ? okResponse({ status: 'alive', expires_in: deps.config.ttlSeconds, broadcast_expires: Math.floor(stale.expiresAtMs / 1000) }) : response;
      }),
    }),
  },
  { name: 'capabilities-null-when-absent', breaks: ['LOOKUP-5'], description: 'lookup always carries capabilities', build: () => mapBody(LOOKUP, (b) => ({ capabilities: null, ...b })) },
  { name: 'expiry-reported-as-last-seen', breaks: ['LOOKUP-6'], description: 'broadcast_expires equals last_seen', build: () => mapBody(LOOKUP, (b) => ({ ...b, broadcast_expires: b.last_seen })) },
  { name: 'list-without-last-seen', breaks: ['LIST-1'], description: 'list items lack last_seen', build: () => mapListItems((items) => items.map(({ last_seen: _, ...rest }) => rest)) },
  { name: 'list-includes-caller', breaks: ['LIST-2'], description: "lists the caller's own broadcast", build: () => withStore((inner) => ({ listLiveBroadcasts: (q) => inner.listLiveBroadcasts({ ...q, excludeEmail: '' }) })) },
  { name: 'list-reverse-sorted', breaks: ['LIST-3'], description: 'each page in descending order', build: () => mapListItems((items) => [...items].reverse()) },
  {
    name: 'limit-ignored', breaks: ['LIST-4'], description: 'ignores ?limit=',
    build: () => ({ wrap: (core) => around(core, (request, next) => {
      if (request.path !== LIST) return next(request);
      const query = new URLSearchParams(request.query);
      query.delete('limit');
      return next({ ...request, query });
    }) }),
  },
  {
    name: 'no-next-link', breaks: ['LIST-5'], description: 'never sends rel="next"',
    build: () => onResponse(LIST, (r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'link')) })),
  },
  {
    name: 'bad-cursor-restarts', breaks: ['LIST-6'], description: 'an unknown cursor restarts the list',
    build: () => ({ wrap: (core) => around(core, async (request, next) => {
      const response = await next(request);
      if (codeOf(response) !== 'invalid_cursor') return response;
      const query = new URLSearchParams(request.query);
      query.delete('cursor');
      return next({ ...request, query });
    }) }),
  },
  {
    name: 'list-includes-silent-peers', breaks: ['LIST-7'], description: 'lists registered peers that never sent ready',
    build: () => {
      const registered: string[] = [];
      return {
        wrap: (core) => around(core, async (request, next) => {
          const response = await next(request);
          if (request.path === '/api/relay/register' && response.status === 200) registered.push(String((response.body as { email?: string }).email));
          if (request.path !== LIST || response.status !== 200 || !Array.isArray(response.body) || request.query.has('cursor')) return response;
          const items = response.body as Array<{ email: string }>;
          const extra = registered.filter((e) => !items.some((i) => i.email === e)).map((email) => ({ email, port: 1, addresses: ['192.0.2.1'], last_seen: 0 }));
          return { ...response, body: [...items, ...extra].sort((a, b) => Buffer.compare(Buffer.from(a.email), Buffer.from(b.email))) };
        }),
      };
    },
  },
  { name: 'lookup-ignores-expiry', breaks: ['EXP-1'], description: 'expired broadcasts stay visible to lookup', build: () => withStore((inner) => ({ findLiveBroadcast: (email: string) => inner.findLiveBroadcast(email, 0) })) },
  {
    name: 'expires-at-half-ttl', breaks: ['EXP-2'], description: 'broadcasts vanish from lookup after half the TTL',
    build: () => withStore((inner, deps) => ({ findLiveBroadcast: (email: string, nowMs: number) => inner.findLiveBroadcast(email, nowMs + (deps.config.ttlSeconds * 1000) / 2) })),
  },
  { name: 'list-ignores-expiry', breaks: ['EXP-3'], description: 'expired broadcasts stay listed', build: () => withStore((inner) => ({ listLiveBroadcasts: (q) => inner.listLiveBroadcasts({ ...q, nowMs: 0 }) })) },
  {
    name: 'heartbeat-revives-expired', breaks: ['EXP-4'], description: 'a heartbeat after expiry brings the broadcast back',
    build: () => ({
      wrap: (core, deps) => around(core, async (request, next) => {
        const response = await next(request);
        const stale = await expiredBroadcastBehind(deps, request, response);
        if (!stale) return response;
        const nowMs = deps.clock.nowMs();
        await deps.store.putBroadcast({ ...stale, lastSeenMs: nowMs, expiresAtMs: nowMs + deps.config.ttlSeconds * 1000 });
        return okResponse({ status: 'alive', expires_in: deps.config.ttlSeconds, broadcast_expires: Math.floor(nowMs / 1000) + deps.config.ttlSeconds });
      }),
    }),
  },
  { name: 'heartbeat-ttl-in-ms', breaks: ['EXP-6'], description: 'heartbeat expires_in in milliseconds', build: () => mapBody(HEARTBEAT, (b) => ({ ...b, expires_in: Number(b.expires_in) * 1000 })) },
];
