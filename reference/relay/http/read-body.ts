import type { IncomingMessage } from 'node:http';

/**
 * `too_large` says whether the connection must close: a body we will not
 * read to its end leaves the stream with no next request to find.
 */
export type BodyResult = { kind: 'ok'; text: string | null } | { kind: 'too_large'; closeConnection: boolean } | { kind: 'aborted' };

/**
 * How much of an oversized body the relay reads and throws away so the
 * client, still sending, gets to read the 413. Closing at once would
 * reset the connection under the client's unsent bytes, and most clients
 * then report a broken pipe instead of the answer. Past this, it closes.
 */
export const DISCARD_LIMIT_BYTES = 64 * 2 ** 20;

/** Reads at most `maxBytes` of body (SPEC ERR-6: larger bodies are 413, not buffered). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const lengthHeader = request.headers['content-length'];
  if (lengthHeader === undefined && request.headers['transfer-encoding'] === undefined) {
    // No body framing at all (a typical GET): nothing to wait for.
    request.resume();
    return Promise.resolve({ kind: 'ok', text: null });
  }
  const declared = Number(lengthHeader);
  if (Number.isFinite(declared) && declared > maxBytes) {
    if (declared > DISCARD_LIMIT_BYTES) return Promise.resolve({ kind: 'too_large', closeConnection: true });
    discardRest(request, 0);
    return Promise.resolve({ kind: 'too_large', closeConnection: false });
  }
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
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        chunks.length = 0;
        discardRest(request, size);
        settle({ kind: 'too_large', closeConnection: false });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => settle({ kind: 'ok', text: size === 0 ? null : bodyText(chunks) }));
    request.on('error', () => settle({ kind: 'aborted' }));
    request.on('close', () => settle(size === 0 && request.complete ? { kind: 'ok', text: null } : { kind: 'aborted' }));
  });
}

/** A small body is one chunk: decode it in place rather than copy it first. */
function bodyText(chunks: Buffer[]): string {
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** Reads and drops the rest of the body, closing the connection once more than DISCARD_LIMIT_BYTES went by. */
function discardRest(request: IncomingMessage, alreadyReadBytes: number): void {
  let seen = alreadyReadBytes;
  request.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_LIMIT_BYTES) request.socket.destroy();
  });
  request.resume();
}
