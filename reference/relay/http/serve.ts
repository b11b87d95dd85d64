/**
 * The node:https edge: turns HTTP requests into RelayRequests for any
 * RelayHandler (the reference core, or a conformance mutant) and writes
 * the RelayResponse back. It owns framing concerns only: body size, JSON
 * content type, TLS principal, draining on shutdown.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../shared/errors.ts';
import { fail } from '../core/result.ts';
import { RELAY_LIMITS, type RelayHandler, type RelayResponse } from '../core/types.ts';
import type { PrincipalExtractor } from './principal.ts';
import { readBody } from './read-body.ts';

export interface ServeOptions {
  host: string;
  port: number;
  certificatePem: string;
  privateKeyPem: string;
  principalOf: PrincipalExtractor;
  logger: Logger;
  /** SPEC ERR-6 limit; configurable so a conformance mutant can break it. */
  maxBodyBytes?: number;
}

export interface ServingRelay {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes. */
  close(graceMs?: number): Promise<void>;
}

export async function serveRelay(handler: RelayHandler, options: ServeOptions): Promise<ServingRelay> {
  const state = { draining: false };
  const server = createServer(
    {
      cert: options.certificatePem,
      key: options.privateKeyPem,
      // Ask every client for a certificate but do not chain-check it: peer
      // certificates are self-signed; the fingerprint is the check (AUTH-2).
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (request, response) => {
      void handleHttp(handler, options, request, response, state);
    },
  );
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Malformed or stalled HTTP from a client: answer if we still can, never crash.
    if (socket.writable) socket.end(clientErrorResponse(error.code));
    options.logger.debug({ err: error.message, code: error.code }, 'client error');
  });
  server.on('tlsClientError', (error) => options.logger.debug({ err: error.message }, 'TLS handshake failed'));
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
    close: (graceMs = 10_000) => {
      state.draining = true;
      return drain(server, graceMs);
    },
  };
}

async function handleHttp(handler: RelayHandler, options: ServeOptions, request: IncomingMessage, response: ServerResponse, state: { draining: boolean }): Promise<void> {
  const timed = options.logger.isLevelEnabled('debug');
  const started = timed ? performance.now() : 0;
  let result: RelayResponse;
  try {
    result = await answer(handler, options, request);
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

async function answer(handler: RelayHandler, options: ServeOptions, request: IncomingMessage): Promise<RelayResponse> {
  const target = splitTarget(request.url ?? '/');
  if (!target) return fail('route_not_found', 'request target must be an absolute path such as /api/health');
  const maxBodyBytes = options.maxBodyBytes ?? RELAY_LIMITS.maxBodyBytes;
  const body = await readBody(request, maxBodyBytes);
  if (body.kind === 'too_large') {
    return fail('body_too_large', `request body exceeds ${maxBodyBytes} bytes`, body.closeConnection ? { connection: 'close' } : undefined);
  }
  if (body.kind === 'aborted') return fail('invalid_body', 'request body was cut off');
  const { principal, warning } = options.principalOf(request);
  if (warning) options.logger.warn({ remote: request.socket.remoteAddress }, warning);
  return handler.handle({ method: request.method ?? 'GET', path: target.path, query: target.query, bodyText: body.text, principal });
}

/**
 * The path exactly as sent (no resolving of `//` or `..`: `//api/health` is
 * not `/api/health`) and the query parameters.
 */
function splitTarget(target: string): { path: string; query: URLSearchParams } | null {
  if (!target.startsWith('/')) return null;
  const at = target.indexOf('?');
  return at < 0 ? { path: target, query: new URLSearchParams() } : { path: target.slice(0, at), query: new URLSearchParams(target.slice(at + 1)) };
}

function writeResponse(request: IncomingMessage, response: ServerResponse, result: RelayResponse): void {
  if (response.headersSent || response.destroyed) return;
  const payload = JSON.stringify(result.body);
  response.writeHead(result.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...result.headers,
  });
  response.end(request.method === 'HEAD' ? undefined : payload);
  if (result.headers?.connection === 'close') response.on('finish', () => request.socket.destroySoon?.());
}

/** The answer to HTTP the parser could not take, written straight to the socket. */
function clientErrorResponse(parserCode: string | undefined): string {
  const [status, reason, code, message]: [number, string, ErrorCode, string] =
    parserCode === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'invalid_body', 'request headers are too large']
      : parserCode === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'invalid_body', 'the request did not arrive in time']
        : [400, 'Bad Request', 'invalid_body', 'malformed HTTP request'];
  const payload = JSON.stringify({ error: message, code });
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${payload}`;
}

async function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
