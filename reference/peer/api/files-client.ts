/**
 * A Peer Server files client for Node apps (steps 6 and 7): the origin
 * that connectToPeer found, and the four public routes. Errors are
 * PeerRequestError with a stable code (peer_unreachable, peer_bad_answer,
 * not_found, path_forbidden, short_download, ...).
 */
import { request } from 'undici';
import type { FileEntry } from '../http/peer-server.ts';
import { downloadPeerFile, encodePath, listPeerFolder, PeerRequestError } from '../http/peer-files-client.ts';

export { PeerRequestError, type FileEntry };

export class PeerFilesClient {
  /** `origin` as connectToPeer reports it: http://address:port. */
  constructor(readonly origin: string) {}

  /** GET /api/health: the email this server answers as, or a PeerRequestError. */
  async health(): Promise<{ email: string }> {
    const body = await this.getJson('/api/health');
    const email = (body as { email?: unknown }).email;
    if (typeof email !== 'string') throw new PeerRequestError(200, 'peer_bad_answer', 'the health answer has no email');
    return { email };
  }

  list(path = ''): Promise<{ path: string; entries: FileEntry[] }> {
    return listPeerFolder(this.origin, path);
  }

  /** GET /content/PATH: the file as UTF-8 text (the server refuses files over 16 MiB: too_large). */
  async readText(path: string): Promise<string> {
    const res = await this.get(`/content/${encodePath(path)}`);
    const text = await res.body.text();
    if (res.statusCode !== 200) throw errorOf(res.statusCode, text);
    return text;
  }

  /** Streams the file to `outFile` (through a .part file), returning its size and SHA-256. */
  download(path: string, outFile: string): Promise<{ bytes: number; sha256: string }> {
    return downloadPeerFile(this.origin, path, outFile);
  }

  /** The URL a browser or another tool may fetch the bytes from. */
  downloadUrl(path: string): string {
    return `${this.origin}/download/${encodePath(path)}`;
  }

  private async getJson(route: string): Promise<unknown> {
    const res = await this.get(route);
    const text = await res.body.text();
    if (res.statusCode !== 200) throw errorOf(res.statusCode, text);
    try {
      return JSON.parse(text);
    } catch {
      throw new PeerRequestError(res.statusCode, 'peer_bad_answer', `${route} did not answer JSON`);
    }
  }

  private async get(route: string) {
    try {
      return await request(`${this.origin}${route}`, { headersTimeout: 10_000, bodyTimeout: 30_000 });
    } catch (error) {
      const err = error as { code?: string; message?: string };
      throw new PeerRequestError(0, 'peer_unreachable', `${err.code ?? 'error'}: ${err.message ?? String(error)}`);
    }
  }
}

function errorOf(status: number, text: string): PeerRequestError {
  let parsed: { code?: unknown; error?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // not our JSON error: keep the status only
  }
  return new PeerRequestError(status, typeof parsed.code === 'string' ? parsed.code : 'peer_error', typeof parsed.error === 'string' ? parsed.error : `HTTP ${status}`);
}
