/**
 * The real Dialer (see core/ports.ts): a TCP connect plus
 * `GET http://address:port/api/health`, mapped onto the core's outcome
 * kinds. Every socket is its own (no agent, no keep-alive) and is
 * destroyed on cancel, on timeout and after the answer.
 */
import { request } from 'node:http';
import type { Cancellable, DialOutcome, Dialer } from '../core/ports.ts';
import { normalizeValidEmail } from '../../shared/email.ts';

const MAX_HEALTH_BYTES = 16 * 1024;
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENOTFOUND']);

export const httpDialer: Dialer = {
  dial(address, port, expectedEmail, timeoutMs, onOutcome) {
    let settled = false;
    const finish = (outcome: DialOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      onOutcome(outcome);
    };
    const req = request({ host: address, port, path: '/api/health', method: 'GET', agent: false, headers: { accept: 'application/json', connection: 'close' } });
    const timer = setTimeout(() => finish({ kind: 'timeout', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      // A reset before any response means nobody is serving there; after one it is a broken server.
      finish(REFUSED_CODES.has(code) ? { kind: 'refused', detail: code } : { kind: 'http_error', detail: code || error.message });
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return finish({ kind: 'http_error', detail: `HTTP ${res.statusCode}` });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_HEALTH_BYTES) return finish({ kind: 'http_error', detail: 'health answer too large' });
        chunks.push(chunk);
      });
      res.on('error', () => finish({ kind: 'http_error', detail: 'connection broke mid-answer' }));
      res.on('end', () => finish(readHealth(Buffer.concat(chunks).toString('utf8'), expectedEmail)));
    });
    req.end();
    const handle: Cancellable = {
      cancel() {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
      },
    };
    return handle;
  },
};

function readHealth(text: string, expectedEmail: string): DialOutcome {
  let body: { status?: unknown; email?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { kind: 'http_error', detail: 'health answer is not JSON' };
  }
  if (body?.status !== 'ok' || typeof body.email !== 'string') return { kind: 'http_error', detail: 'health answer lacks status "ok" and an email' };
  // Whatever answers here is unauthenticated: an "email" that is not one (16 KB of text posing
  // as a notice) is a broken answer, never something to show as whose server this is.
  const email = normalizeValidEmail(body.email);
  if (email === null) return { kind: 'http_error', detail: 'health answer\'s email is not an email address' };
  return email === expectedEmail.toLowerCase() ? { kind: 'ok', email } : { kind: 'wrong_host', email };
}
