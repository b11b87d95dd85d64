/**
 * The endpoints SPEC.md defines, as the suite sees them from outside: one
 * place for paths and methods. An endpoint that answers its own method
 * with 404/405 does not exist on the relay (unimplemented), which is told
 * apart from the protocol's own 404s (peer_not_found, no_live_broadcast)
 * by probing it anonymously: a defined endpoint answers 200, 400 or 401.
 */
export const PATHS = {
  health: '/api/health',
  register: '/api/relay/register',
  ready: '/api/relay/broadcast/ready',
  heartbeat: '/api/relay/broadcast/heartbeat',
  lookup: '/api/relay/broadcast/lookup',
  list: '/api/relay/broadcast/list',
  /** SPEC EXT-1: only on relays that advertise "renew" (never probed as missing). */
  renew: '/api/relay/renew',
  /** SPEC EXT-2: only on relays that advertise "goodbye". */
  goodbye: '/api/relay/broadcast/goodbye',
  clock: '/api/test/clock',
} as const;

export function lookupPath(email: string): string {
  return `${PATHS.lookup}?email=${encodeURIComponent(email)}`;
}

/** What the suite's own probes (the declared TTL, the warp check) announce: a discard port and a TEST-NET-1 address. */
export const PROBE_BROADCAST = { port: 9, addresses: ['192.0.2.9'] } as const;

export interface Endpoint {
  name: keyof typeof PATHS;
  method: 'GET' | 'POST';
  path: string;
}

/** The endpoints every relay must have (the test-control clock is optional, SPEC TEST-*). */
export const REQUIRED_ENDPOINTS: Endpoint[] = [
  { name: 'health', method: 'GET', path: PATHS.health },
  { name: 'register', method: 'POST', path: PATHS.register },
  { name: 'ready', method: 'POST', path: PATHS.ready },
  { name: 'heartbeat', method: 'POST', path: PATHS.heartbeat },
  { name: 'lookup', method: 'GET', path: PATHS.lookup },
  { name: 'list', method: 'GET', path: PATHS.list },
];

export const endpointLabel = (e: Endpoint): string => `${e.method} ${e.path}`;

export function endpointOfPath(pathAndQuery: string): Endpoint | undefined {
  const path = pathAndQuery.split('?')[0];
  return REQUIRED_ENDPOINTS.find((e) => e.path === path);
}

/**
 * A defined endpoint's anonymous probe answers 200 (health), 400 (register
 * with an empty body) or 401 (the authenticated ones). 404 or 405 with no
 * protocol code of its own means the route is not there.
 */
export function looksMissing(status: number, code: unknown): boolean {
  if (status !== 404 && status !== 405) return false;
  return code === undefined || code === null || code === 'route_not_found' || code === 'method_not_allowed' || typeof code !== 'string' || !PROTOCOL_404_CODES.has(code);
}

const PROTOCOL_404_CODES = new Set(['peer_not_found', 'no_live_broadcast']);
