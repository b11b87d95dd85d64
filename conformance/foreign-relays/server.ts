/**
 * The server adapter: node:https with client certificates requested but not
 * chain-checked (SPEC GEN-3), or plain node:http behind a proxy (AUTH-5).
 * It reads the body with the 64 KiB limit (SPEC ERR-6), hands a RawRequest
 * to the router and writes the answer. Nothing here knows the protocol.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { presentedCertificate } from './caller.ts';
import { CursorCodec } from './cursor.ts';
import type { RelayState } from './handlers.ts';
import { settle, type ForeignRelayOptions } from './options.ts';
import { ConnectionPool } from './pool.ts';
import { dispatch, MAX_BODY_BYTES } from './router.ts';
import { MemoryTables } from './store.ts';
import { loadTlsMaterial } from './tls-material.ts';

export interface ForeignRelay {
  url: string;
  port: number;
  /** The relay's self-signed server certificate, to pin; null over plain HTTP. */
  caPem: string | null;
  close(): Promise<void>;
}

/** Bodies over the limit are read on (and thrown away) up to this much, so the client gets its 413 (ERR-5). */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

export async function startForeignRelay(options: ForeignRelayOptions = {}): Promise<ForeignRelay> {
  const settings = settle(options);
  const state: RelayState = { settings, tables: new MemoryTables(settings.ttlSeconds * 1000, settings.expiryGraceSeconds * 1000), cursors: new CursorCodec() };
  const pool = new ConnectionPool(settings.poolSize);
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    void serve(request, response, state, pool);
  };

  let server: Server;
  let caPem: string | null = null;
  if (settings.transport === 'https') {
    const tls = await loadTlsMaterial(settings.tlsCertFile, settings.tlsKeyFile, settings.host);
    caPem = tls.certPem;
    // Ask for a client certificate, accept any (self-signed): identity is the registration (GEN-3).
    server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem, requestCert: true, rejectUnauthorized: false }, onRequest);
  } else {
    server = createHttpServer(onRequest);
  }
  server.on('clientError', (_error, socket: Socket) => {
    // Malformed HTTP: answer in JSON if the socket still takes it (ERR-5), never crash.
    const payload = JSON.stringify({ code: 'invalid_body', error: 'malformed HTTP request' });
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${payload}`);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host === '::' ? '::1' : settings.host;
  const url = `${settings.transport === 'https' ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  return {
    url,
    port,
    caPem,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, state: RelayState, pool: ConnectionPool): Promise<void> {
  try {
    const body = await readBody(request);
    if (body === null) return; // the client went away mid-body: nobody to answer
    const answer = await dispatch(
      { method: request.method ?? 'GET', target: request.url ?? '/', bodyText: body.text, certificate: presentedCertificate(request, state.settings) },
      state,
      pool,
    );
    const headers: Record<string, string> = { 'content-type': answer.contentType, 'content-length': String(Buffer.byteLength(answer.text)), ...answer.headers };
    if (body.abandoned) headers.connection = 'close';
    response.writeHead(answer.status, headers);
    response.end(answer.text);
    if (body.abandoned) response.on('finish', () => request.socket.destroySoon());
  } catch (error) {
    console.error(`foreign relay: ${error instanceof Error ? error.message : String(error)}`);
    if (!response.headersSent) {
      response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ error: 'Internal Server Error' }));
    }
  }
}

interface ReadBody {
  /** UTF-8 text; null when over MAX_BODY_BYTES. */
  text: string | null;
  /** We stopped reading a huge body: the connection cannot be reused. */
  abandoned: boolean;
}

function readBody(request: IncomingMessage): Promise<ReadBody | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: ReadBody | null): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
      if (size > DRAIN_LIMIT_BYTES) {
        request.pause();
        finish({ text: null, abandoned: true });
      }
    });
    request.on('end', () => finish({ text: size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8'), abandoned: false }));
    request.on('error', () => finish(null));
    request.on('close', () => finish(null));
  });
}
