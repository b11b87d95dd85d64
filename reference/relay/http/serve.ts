/**
 * The node:https edge: turns HTTP requests into RelayRequests for any
 * RelayHandler (the reference core, or a conformance mutant) and writes
 * the RelayResponse back. It owns framing concerns only: body size, JSON
 * content type, TLS principal, draining on shutdown.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../shared/errors.ts';
import { fail } from '../core/result.ts';
import { RELAY_LIMITS, type RelayHandler, type RelayResponse } from '../core/types.ts';
import { CONNECTION_DEFAULTS, ConnectionGate, normalizeAddress } from './connection-limits.ts';
import type { PrincipalExtractor } from './principal.ts';
import { RELAY_KEEP_ALIVE_TIMEOUT_MS } from './keep-alive.ts';
import type { TokenBuckets } from './rate-limit.ts';
import { readBody } from './read-body.ts';
import { RateLimitedWarner } from './warn-limiter.ts';
import { RELAY_PATHS } from '../../shared/relay-paths.ts';


export interface ServeOptions {
  host: string;
  port: number;
  certificatePem: string;
  privateKeyPem: string;
  principalOf: PrincipalExtractor;
  logger: Logger;
  /** SPEC ERR-6 limit; configurable so a conformance mutant can break it. */
  maxBodyBytes?: number;
  /** Open connections in total (default CONNECTION_DEFAULTS.maxConnections); Infinity for no cap. */
  maxConnections?: number;
  /** Open connections per source address (default CONNECTION_DEFAULTS.maxConnectionsPerAddress); Infinity for no cap. */
  maxConnectionsPerAddress?: number;
  /** A connection that has not finished its TLS handshake by then is closed (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Registration rate limit per source address; none when omitted. */
  registerLimiter?: TokenBuckets;
  /** How often repeated warnings are summarised (default 10 s). */
  warnIntervalMs?: number;
}

export interface ServingRelay {
  server: Server;
  url: string;
  port: number;
  /** Open TCP connections the relay holds, handshaking or not. */
  openConnections(): number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

export async function serveRelay(handler: RelayHandler, options: ServeOptions): Promise<ServingRelay> {
  const warner = new RateLimitedWarner(options.logger, options.warnIntervalMs);
  const state: ServeState = { draining: false, warner };
  const server = createServer(
    {
      cert: options.certificatePem,
      key: options.privateKeyPem,
      // Ask every client for a certificate but do not chain-check it: peer
      // certificates are self-signed; the fingerprint is the check (AUTH-2).
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      // Node's default is 120 s: long enough for idle sockets to pile up.
      handshakeTimeout: options.handshakeTimeoutMs ?? CONNECTION_DEFAULTS.handshakeTimeoutMs,
      // Node answers a missing Host with an empty 400; answer() sends the JSON one instead.
      requireHostHeader: false,
    },
    (request, response) => {
      void handleHttp(handler, options, request, response, state);
    },
  );
  server.keepAliveTimeout = RELAY_KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  const maxConnections = options.maxConnections ?? CONNECTION_DEFAULTS.maxConnections;
  const maxPerAddress = options.maxConnectionsPerAddress ?? CONNECTION_DEFAULTS.maxConnectionsPerAddress;
  const gate = new ConnectionGate({ maxConnections, maxConnectionsPerAddress: maxPerAddress }, (scope, address, cap) => {
    if (scope === 'total') warner.warn('connection_cap_total', { remote: address, cap }, `refused a connection: ${cap} connections are open (--max-connections)`);
    else warner.warn('connection_cap_address', { remote: address, cap }, `refused a connection from ${address}: ${cap} connections from it are open (--max-connections-per-address)`);
  });
  gate.attach(server);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    options.logger.debug({ err: error.message, code: error.code }, 'client error');
    // No TLS session yet (handshake timeout, reset, garbage instead of a ClientHello): nothing written
    // could ever be flushed, and end() would leave the socket open for good. Close it.
    if (!gate.isSecured(socket)) {
      socket.destroy();
      return;
    }
    // Malformed or stalled HTTP from a client: answer if we still can, never crash.
    if (socket.writable) socket.end(clientErrorResponse(error.code));
    // A client that never reads nor closes must not keep the socket past the answer.
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
  // CONNECT (Node hands it here, not to the request handler; without a listener it drops the connection).
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    const payload = JSON.stringify({ error: 'CONNECT is not supported: this relay is not a proxy', code: 'method_not_allowed' });
    socket.end(rawResponse(405, 'Method Not Allowed', payload, 'allow: GET, HEAD, POST\r\n'));
    setTimeout(() => socket.destroy(), 5_000).unref();
    options.logger.debug({ target: request.url?.slice(0, 200) }, 'refused CONNECT');
  });
  // Expect other than 100-continue: Node would answer an empty 417.
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    writeResponse(request, response, fail('expectation_failed', 'only "Expect: 100-continue" is supported', { connection: 'close' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `https://${hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl}:${port}`;
  return {
    server,
    url,
    port,
    openConnections: () => gate.openConnections,
    close: async (graceMs = 10_000) => {
      state.draining = true;
      try {
        await drain(server, gate, graceMs);
      } finally {
        warner.close();
      }
    },
  };
}

interface ServeState {
  draining: boolean;
  warner: RateLimitedWarner;
}

async function handleHttp(handler: RelayHandler, options: ServeOptions, request: IncomingMessage, response: ServerResponse, state: ServeState): Promise<void> {
  const timed = options.logger.isLevelEnabled('debug');
  const started = timed ? performance.now() : 0;
  let result: RelayResponse;
  try {
    result = await answer(handler, options, request, state);
  } catch (error) {
    options.logger.error({ err: error, method: request.method, url: request.url }, 'handler failed');
    result = fail('internal_error', 'internal error; see the relay log');
  }
  // While draining, every answer closes its connection so shutdown is not held up by keep-alive.
  if (state.draining) result = { ...result, headers: { ...result.headers, connection: 'close' } };
  writeResponse(request, response, result);
  if (timed) {
    const ms = Math.round((performance.now() - started) * 100) / 100;
    options.logger.debug({ method: request.method, path: request.url?.split('?')[0], status: result.status, ms }, 'request');
  }
}

async function answer(handler: RelayHandler, options: ServeOptions, request: IncomingMessage, state: ServeState): Promise<RelayResponse> {
  // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without exactly one Host.
  const hosts = hostHeaderCount(request.rawHeaders);
  if ((hosts === 0 && request.httpVersion !== '1.0') || hosts > 1) {
    request.resume();
    return fail('invalid_request', hosts === 0 ? 'an HTTP/1.1 request needs a Host header' : 'more than one Host header', { connection: 'close' });
  }
  const target = splitTarget(request.url ?? '/');
  if (!target) return fail('route_not_found', 'request target must be an absolute path such as /api/health');
  const maxBodyBytes = options.maxBodyBytes ?? RELAY_LIMITS.maxBodyBytes;
  const body = await readBody(request, maxBodyBytes);
  if (body.kind === 'too_large') {
    return fail('body_too_large', `request body exceeds ${maxBodyBytes} bytes`, body.closeConnection ? { connection: 'close' } : undefined);
  }
  if (body.kind === 'aborted') return fail('invalid_body', 'request body was cut off');
  const remote = normalizeAddress(request.socket.remoteAddress ?? '');
  if (options.registerLimiter && request.method === 'POST' && target.path === RELAY_PATHS.register) {
    const verdict = options.registerLimiter.take(remote);
    if (!verdict.allowed) {
      state.warner.warn('register_rate_limited', { remote }, `registration rate limit hit by ${remote}`);
      return fail('rate_limited', `too many registrations from ${remote}; retry in ${verdict.retryAfterSeconds} s`, { 'retry-after': String(verdict.retryAfterSeconds) });
    }
  }
  const { principal, warning, warningKey, refusal, clientAddress } = options.principalOf(request);
  if (warning) state.warner.warn(warningKey ?? warning, { remote }, warning);
  if (refusal) return fail(refusal.code, refusal.message);
  return handler.handle({ method: request.method ?? 'GET', path: target.path, query: target.query, bodyText: body.text, principal, remoteAddress: clientAddress ?? null });
}

/**
 * The path exactly as sent (no resolving of `//` or `..`: `//api/health` is
 * not `/api/health`) and the query parameters. An absolute-form target
 * (`https://host:port/api/health?x`, RFC 9112 3.2.2, which a server MUST
 * accept) is routed on its path and query.
 */
function splitTarget(raw: string): { path: string; query: URLSearchParams } | null {
  let target = raw;
  // Origin form (`/...`), nearly every request, needs no pattern match.
  const absolute = target.charCodeAt(0) === SLASH ? null : /^https?:\/\/[^/?#]*/i.exec(target);
  if (absolute) {
    target = target.slice(absolute[0].length);
    if (target === '' || target.startsWith('?')) target = `/${target}`;
  }
  if (!target.startsWith('/')) return null;
  const at = target.indexOf('?');
  return at < 0 ? { path: target, query: new URLSearchParams() } : { path: target.slice(0, at), query: new URLSearchParams(target.slice(at + 1)) };
}

function writeResponse(request: IncomingMessage, response: ServerResponse, result: RelayResponse): void {
  if (response.headersSent || response.destroyed) return;
  const payload = JSON.stringify(result.body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' };
  if (result.headers) Object.assign(headers, result.headers);
  response.writeHead(result.status, headers);
  response.end(request.method === 'HEAD' ? undefined : payload);
  if (result.headers?.connection === 'close') response.on('finish', () => request.socket.destroySoon?.());
}

const SLASH = 0x2f;

/**
 * Host headers on the request, counted in rawHeaders: `headers` keeps only
 * the first Host, and `headersDistinct` builds an object of arrays for
 * every header of every request just to answer this.
 */
function hostHeaderCount(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

/** The answer to HTTP the parser could not take, written straight to the socket. */
function clientErrorResponse(parserCode: string | undefined): string {
  const [status, reason, code, message]: [number, string, ErrorCode, string] =
    parserCode === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'invalid_body', 'request headers are too large']
      : parserCode === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'invalid_body', 'the request did not arrive in time']
        : [400, 'Bad Request', 'invalid_body', 'malformed HTTP request'];
  return rawResponse(status, reason, JSON.stringify({ error: message, code }));
}

function rawResponse(status: number, reason: string, payload: string, extraHeaders = ''): string {
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(payload)}\r\ncache-control: no-store\r\n${extraHeaders}connection: close\r\n\r\n${payload}`;
}

/**
 * Stops accepting, closes idle keep-alive connections and connections still
 * in their handshake at once, lets requests in flight finish, and at the end
 * of the grace closes every socket left (also those HTTP never saw), so
 * shutdown always completes.
 */
async function drain(server: Server, gate: ConnectionGate, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  gate.destroyUnsecured();
  const timer = setTimeout(() => {
    server.closeAllConnections();
    gate.destroyAll();
  }, graceMs);
  await closed;
  clearTimeout(timer);
}
