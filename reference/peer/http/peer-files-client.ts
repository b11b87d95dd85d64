/**
 * Browsing and downloading from a Peer Server once try-order found it
 * (steps 6 and 7). Plain HTTP; paths are percent-encoded per segment so a
 * name with `?` or `#` or spaces survives.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { request } from 'undici';
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

export async function listPeerFolder(baseUrl: string, path = ''): Promise<{ path: string; entries: FileEntry[] }> {
  const suffix = encodePath(path);
  const res = await request(`${baseUrl}/api/files${suffix ? `/${suffix}` : ''}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await res.body.json()) as { path: string; entries: FileEntry[]; code?: string; error?: string };
  if (res.statusCode !== 200) throw new PeerRequestError(res.statusCode, body.code ?? 'peer_error', body.error ?? `HTTP ${res.statusCode}`);
  return body;
}

/** Streams `path` into `outFile` (via a temporary file), returning its size and SHA-256. */
export async function downloadPeerFile(baseUrl: string, path: string, outFile: string): Promise<{ bytes: number; sha256: string }> {
  const res = await request(`${baseUrl}/download/${encodePath(path)}`, { headersTimeout: 10_000, bodyTimeout: 30_000 });
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
  const out = createWriteStream(tmp);
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      hash.update(buf);
      bytes += buf.length;
      if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (Number.isFinite(expected) && expected !== bytes) throw new PeerRequestError(200, 'short_download', `got ${bytes} of ${expected} bytes`);
    await rename(tmp, outFile);
  } catch (error) {
    out.destroy();
    await rm(tmp, { force: true });
    throw error;
  }
  return { bytes, sha256: hash.digest('hex') };
}
