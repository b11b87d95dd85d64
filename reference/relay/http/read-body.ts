import type { IncomingMessage } from 'node:http';

export type BodyResult = { kind: 'ok'; text: string | null } | { kind: 'too_large' } | { kind: 'aborted' };

/** Reads at most `maxBytes` of body (SPEC ERR-6: larger bodies are 413, not buffered). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const lengthHeader = request.headers['content-length'];
  if (lengthHeader === undefined && request.headers['transfer-encoding'] === undefined) {
    // No body framing at all (a typical GET): nothing to wait for.
    request.resume();
    return Promise.resolve({ kind: 'ok', text: null });
  }
  const declared = Number(lengthHeader);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ kind: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        settle({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => settle({ kind: 'ok', text: size === 0 ? null : Buffer.concat(chunks).toString('utf8') }));
    request.on('error', () => settle({ kind: 'aborted' }));
    request.on('close', () => settle(size === 0 && request.complete ? { kind: 'ok', text: null } : { kind: 'aborted' }));
  });
}
