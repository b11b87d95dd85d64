/**
 * Browsing and downloading from a Peer Server once try-order found it
 * (steps 6 and 7). Plain HTTP; paths are percent-encoded per segment so a
 * name with `?` or `#` or spaces survives.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import type { FileEntry } from './peer-server.ts';

export class PeerRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PeerRequestError';
  }
}

export function encodePath(path: string): string {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .map(encodeURIComponent)
    .join('/');
}

/** A peer that hangs up or times out is a failed request (exit 1), not a crash of ours. */
async function requestPeer(url: string, options: { headersTimeout: number; bodyTimeout: number }): Promise<Dispatcher.ResponseData> {
  try {
    return await request(url, options);
  } catch (error) {
    const err = error as { code?: string; message?: string };
    throw new PeerRequestError(0, 'peer_unreachable', `${err.code ?? 'error'}: ${err.message ?? String(error)}`);
  }
}

export async function listPeerFolder(baseUrl: string, path = ''): Promise<{ path: string; entries: FileEntry[] }> {
  const suffix = encodePath(path);
  const res = await requestPeer(`${baseUrl}/api/files${suffix ? `/${suffix}` : ''}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  let body: { path: string; entries: FileEntry[]; code?: string; error?: string };
  try {
    body = (await res.body.json()) as typeof body;
  } catch {
    throw new PeerRequestError(res.statusCode, 'peer_bad_answer', 'the peer did not answer with a JSON folder listing');
  }
  if (res.statusCode !== 200) throw new PeerRequestError(res.statusCode, body.code ?? 'peer_error', body.error ?? `HTTP ${res.statusCode}`);
  return body;
}

/** Streams `path` into `outFile` (via a temporary file), returning its size and SHA-256. */
export async function downloadPeerFile(baseUrl: string, path: string, outFile: string): Promise<{ bytes: number; sha256: string }> {
  const res = await requestPeer(`${baseUrl}/download/${encodePath(path)}`, { headersTimeout: 10_000, bodyTimeout: 30_000 });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    let parsed: { code?: string; error?: string } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // not our JSON error: keep the status only
    }
    throw new PeerRequestError(res.statusCode, parsed.code ?? 'peer_error', parsed.error ?? `HTTP ${res.statusCode}`);
  }
  const expected = Number(res.headers['content-length']);
  const tmp = `${outFile}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    // pipeline() carries an error from either side (the peer hanging up, the disk) to here: none goes unhandled.
    await pipeline(
      res.body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp),
    );
    if (Number.isFinite(expected) && expected !== bytes) throw new PeerRequestError(200, 'short_download', `got ${bytes} of ${expected} bytes`);
    await rename(tmp, outFile);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof PeerRequestError) throw error;
    const err = error as NodeJS.ErrnoException;
    if (err.syscall === 'open' || err.syscall === 'rename' || err.syscall === 'write') throw error;
    throw new PeerRequestError(0, 'peer_unreachable', `the download broke off after ${bytes} bytes: ${err.code ?? err.message}`);
  }
  return { bytes, sha256: hash.digest('hex') };
}
