/**
 * The route table and the order of checks, Express-style: route (404/405),
 * body size (413), JSON body (400), then the handler inside a "database
 * connection". Paths compare exactly, letter case and trailing slash
 * included (SPEC ERR-3).
 */
import { DatabaseError, errorBody, HttpError, unexpectedBody } from './errors.ts';
import { health, heartbeat, list, lookup, ready, register, type Handler, type RelayState } from './handlers.ts';
import type { RouteName } from './options.ts';
import type { ConnectionPool } from './pool.ts';

interface Route {
  name: RouteName;
  method: 'GET' | 'POST';
  handler: Handler;
  /** Needs the database (health does not). */
  database: boolean;
}

const ROUTES: Record<string, Route> = {
  '/api/health': { name: 'health', method: 'GET', handler: health, database: false },
  '/api/relay/register': { name: 'register', method: 'POST', handler: register, database: true },
  '/api/relay/broadcast/ready': { name: 'ready', method: 'POST', handler: ready, database: true },
  '/api/relay/broadcast/heartbeat': { name: 'heartbeat', method: 'POST', handler: heartbeat, database: true },
  '/api/relay/broadcast/lookup': { name: 'lookup', method: 'GET', handler: lookup, database: true },
  '/api/relay/broadcast/list': { name: 'list', method: 'GET', handler: list, database: true },
};

export interface RawRequest {
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  /** The body as text; null when it was over the limit. */
  bodyText: string | null;
  certificate: Buffer | null;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  text: string;
}

export const MAX_BODY_BYTES = 64 * 1024; // SPEC ERR-6

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers,
  contentType: 'application/json; charset=utf-8',
  text: JSON.stringify(body),
});

const NEXT_404_PAGE =
  '<!DOCTYPE html><html><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width"/><title>404: This page could not be found</title></head>' +
  '<body><div id="__next"><div style="font-family:system-ui;height:100vh;text-align:center;display:flex;flex-direction:column;align-items:center;justify-content:center">' +
  '<h1 style="display:inline-block;margin:0 20px 0 0;padding-right:23px;font-size:24px;font-weight:500">404</h1><h2 style="font-size:14px;font-weight:400">This page could not be found.</h2></div></div></body></html>';

export async function dispatch(request: RawRequest, state: RelayState, pool: ConnectionPool): Promise<Answer> {
  const { settings } = state;
  const fail = (error: HttpError): Answer => json(error.status, errorBody(error, settings.errorStyle), error.headers);
  const at = request.target.indexOf('?');
  const path = at < 0 ? request.target : request.target.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : request.target.slice(at + 1));

  const route = ROUTES[path];
  if (!route || settings.omitRoutes.includes(route.name)) {
    // DEFECT htmlNotFound: the framework's HTML page answers every unknown path.
    if (settings.htmlNotFound) return { status: 404, headers: {}, contentType: 'text/html; charset=utf-8', text: NEXT_404_PAGE };
    return fail(new HttpError('route_not_found', `no route for ${path}`));
  }
  // HEAD is GET without a body, as in Express; node drops the body of a HEAD answer.
  const allowed = route.method === 'GET' ? ['GET', 'HEAD'] : ['POST'];
  if (!allowed.includes(request.method)) {
    return fail(new HttpError('method_not_allowed', `${request.method} is not allowed on ${path}`, { allow: allowed.join(', ') }));
  }
  if (request.bodyText === null) return fail(new HttpError('body_too_large', `the body is over ${MAX_BODY_BYTES} bytes`));

  try {
    const body = route.method === 'POST' ? parseBody(request.bodyText, route.name) : {};
    const apiRequest = { query, body, certificate: request.certificate };
    const result = route.database ? await pool.query(() => route.handler(apiRequest, state)) : route.handler(apiRequest, state);
    return json(result.status, result.body, result.headers);
  } catch (error) {
    if (error instanceof HttpError) return fail(error);
    // The generic catch: an unexpected throw (or the pool's refusal) is a 500, never a crash.
    if (!(error instanceof DatabaseError)) console.error(`foreign relay: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return json(500, unexpectedBody(error));
  }
}

/** SPEC ERR-2: not JSON is invalid_json, JSON that is not an object is invalid_body. */
function parseBody(text: string, route: RouteName): Record<string, unknown> {
  // A heartbeat needs no body; an empty one counts as {}.
  if (route === 'heartbeat' && text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError('invalid_json', 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError('invalid_body', 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}
