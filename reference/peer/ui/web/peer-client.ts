/**
 * Requests the page makes straight to a Peer Server (cross-origin, plain
 * GET, no token, no cookies, no referrer). Everything a peer answers is
 * treated as hostile: listings are checked field by field.
 */
import { isAbort, oneLine, peerStopped, Problem } from './problem.ts';

export interface PeerEntry {
  name: string;
  type: 'file' | 'directory';
  size: number;
  mtime: string;
}

/** Listings longer than this are cut (a hostile peer could send millions). */
export const MAX_ENTRIES = 5000;

/** Each segment percent-encoded on its own, so `/`, `?`, `#` in a name stay part of it. */
export function encodePath(segments: readonly string[]): string {
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}

export function listingUrl(origin: string, segments: readonly string[]): string {
  return segments.length === 0 ? `${origin}/api/files` : `${origin}/api/files/${encodePath(segments)}`;
}

export function contentUrl(origin: string, segments: readonly string[]): string {
  return `${origin}/content/${encodePath(segments)}`;
}

export function downloadUrl(origin: string, segments: readonly string[]): string {
  return `${origin}/download/${encodePath(segments)}`;
}

/** `http://host:port` from what the bridge reported, or null when it is not an http(s) origin. */
export function cleanOrigin(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** A name we can ask for again: not empty, not a dot segment the URL parser would fold away. */
export function usableName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && name.length <= 1024;
}

export async function peerFetch(url: string, origin: string, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', redirect: 'error', signal });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new Problem(peerStopped(origin), 'peer_stopped');
  }
  if (!response.ok) throw await peerProblem(response);
  return response;
}

async function peerProblem(response: Response): Promise<Problem> {
  let error = '';
  let code = `http_${response.status}`;
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      if (typeof record.error === 'string') error = oneLine(record.error, 300);
      if (typeof record.code === 'string') code = oneLine(record.code, 60);
    }
  } catch {
    // not JSON
  }
  if (!error) error = `the peer answered HTTP ${response.status}`;
  const todo = response.status === 404 ? ': it may have been moved or removed, press Refresh' : '';
  return new Problem(`${error}${todo}`, code);
}

function readJsonFailure(origin: string): Problem {
  return new Problem(`the peer at ${origin} sent a listing that is not valid JSON: Visit again or ask them to update relaylab`, 'bad_listing');
}

export interface Listing {
  entries: PeerEntry[];
  /** How many entries the peer sent, before checks and the cut. */
  total: number;
}

export async function listFolder(origin: string, segments: readonly string[], signal: AbortSignal): Promise<Listing> {
  const response = await peerFetch(listingUrl(origin, segments), origin, signal);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (isAbort(error)) throw error;
    if (error instanceof TypeError) throw new Problem(peerStopped(origin), 'peer_stopped');
    throw readJsonFailure(origin);
  }
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).entries : undefined;
  if (!Array.isArray(raw)) throw readJsonFailure(origin);
  const entries: PeerEntry[] = [];
  for (const item of raw) {
    if (entries.length >= MAX_ENTRIES) break;
    if (!item || typeof item !== 'object') continue;
    const { name, type, size, mtime } = item as Record<string, unknown>;
    if (typeof name !== 'string' || !usableName(name)) continue;
    if (type !== 'file' && type !== 'directory') continue;
    entries.push({
      name,
      type,
      size: typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : 0,
      mtime: typeof mtime === 'string' ? mtime.slice(0, 64) : '',
    });
  }
  return { entries, total: raw.length };
}

export async function fetchText(origin: string, segments: readonly string[], signal: AbortSignal): Promise<string> {
  const response = await peerFetch(contentUrl(origin, segments), origin, signal);
  try {
    return await response.text();
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new Problem(peerStopped(origin), 'peer_stopped');
  }
}

export interface Progress {
  received: number;
  /** From Content-Length, or null when the peer did not say. */
  total: number | null;
}

/** The bytes of `url` as a Blob of `type`, reporting progress as chunks arrive. */
export async function fetchBytes(url: string, origin: string, type: string, signal: AbortSignal, onProgress: (progress: Progress) => void, maxBytes = Infinity): Promise<Blob> {
  const response = await peerFetch(url, origin, signal);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isSafeInteger(length) && length >= 0 && response.headers.has('content-length') ? length : null;
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress({ received, total });
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        if (received > maxBytes) {
          await reader.cancel().catch(() => {});
          throw new Problem(`the file at ${origin} is bigger than the ${maxBytes} bytes shown here: download it instead`, 'too_large');
        }
        onProgress({ received, total });
      }
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new Problem(peerStopped(origin), 'peer_stopped');
    }
  }
  if (total !== null && received !== total) throw new Problem(`the peer at ${origin} sent ${received} of ${total} bytes: try again`, 'short_read');
  return new Blob(chunks as BlobPart[], { type });
}
