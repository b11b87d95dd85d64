/**
 * The route table (SPEC ERR-3, ERR-4): unknown paths are 404
 * route_not_found, known paths with the wrong method are 405 with Allow.
 */
import { fail, ok } from './result.ts';
import type { RelayCore } from './relay-core.ts';
import type { RelayConfig, RelayExtension, RelayRequest, RelayResponse } from './types.ts';
import { RELAY_PATHS } from '../../shared/relay-paths.ts';
import { OPENAPI_PATH } from '../api-schema/endpoints.ts';
import { openApiDocument } from '../api-schema/openapi-document.ts';

type Route = { method: 'GET' | 'POST'; run: (core: RelayCore, request: RelayRequest) => RelayResponse | Promise<RelayResponse> };

const ROUTES: Record<string, Route> = {
  [RELAY_PATHS.health]: { method: 'GET', run: (core) => core.health() },
  // The API's own description, like health without a client certificate; built once, on first request.
  [OPENAPI_PATH]: { method: 'GET', run: () => ok(openApiDocument()) },
  [RELAY_PATHS.register]: { method: 'POST', run: (core, r) => core.register(r) },
  [RELAY_PATHS.ready]: { method: 'POST', run: (core, r) => core.ready(r) },
  [RELAY_PATHS.heartbeat]: { method: 'POST', run: (core, r) => core.heartbeat(r) },
  [RELAY_PATHS.lookup]: { method: 'GET', run: (core, r) => core.lookup(r) },
  [RELAY_PATHS.list]: { method: 'GET', run: (core, r) => core.list(r) },
};

/** SPEC EXT: reachable only where the relay offers the extension. */
const EXTENSION_ROUTES: Record<string, { extension: RelayExtension; route: Route }> = {
  [RELAY_PATHS.renew]: { extension: 'renew', route: { method: 'POST', run: (core, r) => core.renew(r) } },
  [RELAY_PATHS.goodbye]: { extension: 'goodbye', route: { method: 'POST', run: (core, r) => core.goodbye(r) } },
};

const TEST_ROUTES: Record<string, Route> = {
  [RELAY_PATHS.clock]: { method: 'POST', run: (core, r) => core.advanceClock(r) },
};

export function routeRequest(core: RelayCore, request: RelayRequest, config: RelayConfig): RelayResponse | Promise<RelayResponse> {
  const route = ROUTES[request.path] ?? extensionRoute(request.path, config) ?? (config.testMode ? TEST_ROUTES[request.path] : undefined);
  if (!route) return fail('route_not_found', `no such endpoint: ${request.method} ${request.path.slice(0, 200)}`);
  const method = request.method === 'HEAD' && route.method === 'GET' ? 'GET' : request.method;
  if (method !== route.method) {
    return fail('method_not_allowed', `${request.path} accepts ${route.method} only`, { allow: route.method === 'GET' ? 'GET, HEAD' : route.method });
  }
  return route.run(core, request);
}

function extensionRoute(path: string, config: RelayConfig): Route | undefined {
  const entry = EXTENSION_ROUTES[path];
  return entry && config.extensions?.includes(entry.extension) ? entry.route : undefined;
}
