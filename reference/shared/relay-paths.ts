/**
 * The relay's endpoints (SPEC: REG, READY, HB, LOOKUP, LIST, GEN-2, EXT-1, TEST-1),
 * one place for the reference relay's routes, its edge and the reference
 * peer's relay client. (The conformance suite keeps its own view from
 * SPEC.md in conformance/runner/endpoints.ts: it is black-box on purpose.)
 */
export const RELAY_PATHS = {
  health: '/api/health',
  register: '/api/relay/register',
  ready: '/api/relay/broadcast/ready',
  heartbeat: '/api/relay/broadcast/heartbeat',
  lookup: '/api/relay/broadcast/lookup',
  list: '/api/relay/broadcast/list',
  /** SPEC EXT-1, only where the relay offers "renew". */
  renew: '/api/relay/renew',
  /** SPEC EXT-2, only where the relay offers "goodbye". */
  goodbye: '/api/relay/broadcast/goodbye',
  clock: '/api/test/clock',
  /** The reference relay's OpenAPI 3.1 document (not a SPEC endpoint; issue 13). */
  openapi: '/api/openapi.json',
} as const;
