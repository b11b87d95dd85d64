/** Mutants of framing, robustness and the test-control profile (ERR, TEST). */
import { around, codeOf, errorResponse, jsonObject, okResponse, onResponse, type Mutant } from './mutant.ts';

export const ERROR_MUTANTS: Mutant[] = [
  {
    name: 'errors-as-message', breaks: ['ERR-1'], description: 'error bodies are {"message", "code"}',
    build: () => onResponse(null, (r) => (r.status >= 400 ? { ...r, body: { message: (r.body as { error?: string }).error, code: codeOf(r) } } : r)),
  },
  { name: 'errors-without-code', breaks: ['ERR-1'], description: 'error bodies are {"error"} only, no code', build: () => onResponse(null, (r) => (r.status >= 400 ? { ...r, body: { error: (r.body as { error?: string }).error } } : r)) },
  {
    name: 'slow-refusals', breaks: ['PERF-1'], description: 'every 401 takes 1.2 s (as a relay that alters its schema per request)',
    build: () => onResponse(null, async (r) => {
      if (r.status === 401) await new Promise((resolve) => setTimeout(resolve, 1200));
      return r;
    }),
  },
  {
    name: 'crash-on-bad-json', breaks: ['ERR-2'], description: 'a 500 on malformed JSON',
    build: () => ({ wrap: (core) => around(core, (request, next) => {
      try {
        if (request.bodyText) JSON.parse(request.bodyText);
      } catch {
        return Promise.resolve(errorResponse(500, 'internal_error'));
      }
      return next(request);
    }) }),
  },
  { name: 'unknown-route-400', breaks: ['ERR-3'], description: 'unknown routes answer 400', build: () => onResponse(null, (r) => (codeOf(r) === 'route_not_found' ? errorResponse(400, 'invalid_body') : r)) },
  { name: 'wrong-method-404', breaks: ['ERR-4'], description: 'a wrong method answers 404', build: () => onResponse(null, (r) => (codeOf(r) === 'method_not_allowed' ? errorResponse(404, 'route_not_found') : r)) },
  {
    name: 'crash-on-non-string-address', breaks: ['ERR-5'], description: 'a 500 when an address is not a string',
    build: () => ({ wrap: (core) => around(core, (request, next) => {
      const addresses = jsonObject(request.bodyText)?.addresses;
      return Array.isArray(addresses) && addresses.some((a) => typeof a !== 'string') ? Promise.resolve(errorResponse(500, 'internal_error')) : next(request);
    }) }),
  },
  {
    name: 'no-body-limit', breaks: ['ERR-6'], description: 'bodies up to 8 MiB are read and parsed instead of refused with 413',
    build: () => ({ relayOptions: { maxBodyBytes: 8 * 1024 * 1024 } }),
  },
  {
    name: 'refusal-drops-broadcast', breaks: ['ERR-7'], description: 'a refused ready ends the live broadcast',
    build: () => ({ wrap: (core, deps) => around(core, async (request, next) => {
      const response = await next(request);
      if (request.path !== '/api/relay/broadcast/ready' || response.status !== 400 || !request.principal) return response;
      const identity = await deps.store.findIdentityByFingerprint(request.principal.fingerprintSha256);
      const live = identity ? await deps.store.findLiveBroadcast(identity.email, deps.clock.nowMs()) : null;
      if (live) await deps.store.putBroadcast({ ...live, expiresAtMs: 0 });
      return response;
    }) }),
  },
  {
    name: 'clock-accepts-strings', breaks: ['TEST-2'], description: 'advance_seconds "10" is taken as 10',
    build: () => ({
      relayOptions: { testMode: true },
      wrap: (core) => around(core, (request, next) => {
        const body = request.path === '/api/test/clock' ? jsonObject(request.bodyText) : null;
        return next(typeof body?.advance_seconds === 'string' ? { ...request, bodyText: JSON.stringify({ advance_seconds: Number(body.advance_seconds) }) } : request);
      }),
    }),
  },
  {
    name: 'clock-route-in-production', breaks: ['TEST-3'], description: 'answers POST /api/test/clock without test mode',
    build: () => ({ relayOptions: { testMode: false }, wrap: (core) => around(core, (request, next) => (request.path === '/api/test/clock' ? Promise.resolve(okResponse({ now: Math.floor(Date.now() / 1000) })) : next(request))) }),
  },
];
