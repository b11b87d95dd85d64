/**
 * Raw requests over a real TLS connection: bytes a well-behaved client
 * library would never send (CONNECT, no Host, absolute-form targets,
 * repeated headers), and the answer parsed by hand.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect } from 'node:tls';

export interface RawAnswer {
  /** null when the connection closed before a status line arrived. */
  status: number | null;
  headers: Record<string, string[]>;
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: any;
  raw: string;
}

/** Writes `request` on a new TLS connection and reads one response (by content-length) or until the connection closes. */
export function rawTlsExchange(port: number, caPem: string, request: string, options: { localAddress?: string; cert?: string; key?: string; timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: caPem,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.cert ? { cert: options.cert, key: options.key } : {}),
    });
    let buffer = Buffer.alloc(0);
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${options.timeoutMs ?? 15_000} ms: ${JSON.stringify(buffer.toString('latin1'))}`)), options.timeoutMs ?? 15_000);
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(parseAnswer(buffer.toString('utf8')));
    };
    socket.once('secureConnect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const answer = parseAnswer(buffer.toString('utf8'));
      const length = Number(answer.headers['content-length']?.[0] ?? Number.NaN);
      if (answer.status !== null && Number.isFinite(length) && Buffer.byteLength(answer.body) >= length) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
  });
}

/** Parses the final answer, skipping interim 1xx ones (kept in `raw`). */
export function parseAnswer(all: string): RawAnswer {
  let text = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { status: null, headers: {}, body: '', json: undefined, raw: all };
  const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string[]> = {};
  for (const line of headerLines) {
    const at = line.indexOf(':');
    const name = line.slice(0, at).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(at + 1).trim());
  }
  const body = text.slice(split + 4);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: status ? Number(status) : null, headers, body, json, raw: all };
}

/** A plain TCP connection (no TLS at all) that resolves once connected. */
export function tcpConnect(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The first bytes of a TLS ClientHello record, cut off: the server waits for the rest. */
export const HALF_CLIENT_HELLO = Buffer.from('160301020001000200fc0303' + '00'.repeat(40), 'hex');

/** Resolves true once `socket` is closed, false if it is still open after `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.readyState === 'closed') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
