/**
 * Requests the page makes straight to a Peer Server (cross-origin, plain
 * GET, no token, no cookies, no referrer). Everything a peer answers is
 * treated as hostile: listings are checked field by field, every body is
 * read with a byte cap and a time limit, redirects are never followed, and
 * the peer's own error text is quoted as its words, never as ours.
 */
import { formatBytes } from './format.ts';
import { isAbort, oneLine, peerSaid, peerStopped, Problem } from './problem.ts';

export interface PeerEntry {
  name: string;
  type: 'file' | 'directory';
  /** Bytes, or null when the peer sent no believable size. */
  size: number | null;
  mtime: string;
}

/** Whose Peer Server: its origin and the email the visit found there. */
export interface PeerAt {
  origin: string;
  email: string;
}

/** Listings longer than this are cut (a hostile peer could send millions). */
export const MAX_ENTRIES = 5000;
/** A listing body bigger than this is not read (MAX_ENTRIES long names fit many times over). */
export const MAX_LISTING_BYTES = 32 * 1024 * 1024;
/** A folder listing must arrive whole within this. */
export const LISTING_TIMEOUT_MS = 20_000;
/** Any other body: the peer may be slow, but not silent this long. */
export const IDLE_TIMEOUT_MS = 20_000;
/** An error answer is read this far, no further. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** The check that tells "no CORS" from "not there" waits this long. */
const PROBE_TIMEOUT_MS = 5_000;

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

/** A size we can believe: a whole number of bytes a file system could hold (1e300 is not one). */
export function believableSize(size: unknown): number | null {
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : null;
}

/**
 * An AbortSignal that also fires after `ms` (restartable with `touch()`).
 * `timedOut` says which of the two it was.
 */
class Deadline {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onOuterAbort = () => this.controller.abort();

  constructor(
    private readonly outer: AbortSignal,
    private readonly ms: number,
  ) {
    if (outer.aborted) this.controller.abort();
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  done(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}

function timeoutProblem(peer: PeerAt, what: string, ms: number): Problem {
  return new Problem(`the peer at ${peer.origin} sent no ${what} within ${Math.round(ms / 1000)} s: press Refresh, or Visit again`, 'peer_timeout');
}

function redirectProblem(peer: PeerAt): Problem {
  return new Problem(`the peer at ${peer.origin} answered with a redirect to somewhere else, which this page never follows: it may not be a relaylab Peer Server; Visit again`, 'peer_redirect');
}

function corsProblem(peer: PeerAt): Problem {
  return new Problem(`the peer at ${peer.origin} answered, but not in a way this page may read (no CORS header, or a redirect without one): it may not be a relaylab Peer Server, or an old one; ask ${oneLine(peer.email, 120)} to update relaylab`, 'peer_cors');
}

/**
 * After a fetch failed outright: was nothing there, or did something answer
 * in a way the page may not read (no CORS header, or a redirect without one)?
 * An opaque no-cors GET of the same URL tells them apart; its answer is never
 * read. (A no-cors request must follow redirects: only a redirect that itself
 * lacks CORS headers gets here, and is then followed once, without
 * credentials or referrer.)
 */
async function whyUnreadable(url: string, peer: PeerAt, signal: AbortSignal): Promise<Problem> {
  const deadline = new Deadline(signal, PROBE_TIMEOUT_MS);
  try {
    const probe = await fetch(url, { mode: 'no-cors', credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', signal: deadline.signal });
    void probe.body?.cancel().catch(() => {});
    // Something answered. (An opaque answer cannot say whether it was a redirect.)
    return corsProblem(peer);
  } catch (error) {
    if (signal.aborted) throw error;
    return new Problem(peerStopped(peer.origin), 'peer_stopped');
  } finally {
    deadline.done();
  }
}

/**
 * GET from a Peer Server. Never follows a redirect (`manual`: a 3xx is an
 * error here). Rejects with a Problem, or an AbortError when `signal` fires.
 */
export async function peerFetch(url: string, peer: PeerAt, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', redirect: 'manual', signal });
  } catch (error) {
    if (isAbort(error) || signal.aborted) throw error;
    throw await whyUnreadable(url, peer, signal);
  }
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    void response.body?.cancel().catch(() => {});
    throw redirectProblem(peer);
  }
  if (!response.ok) throw await peerProblem(response, peer);
  return response;
}

/**
 * Up to `max` bytes of a body (the rest is cancelled; `complete` false).
 * With `stopAfterMs`, whatever arrived by then is returned, also incomplete.
 */
async function readCapped(response: Response, max: number, stopAfterMs?: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (!response.body) return { bytes: new Uint8Array(0), complete: true };
  const reader = response.body.getReader();
  let stopped = false;
  const timer = stopAfterMs === undefined ? undefined : setTimeout(() => {
    stopped = true;
    void reader.cancel().catch(() => {});
  }, stopAfterMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.byteLength > max) {
        await reader.cancel().catch(() => {});
        return { bytes: join(chunks, received), complete: false };
      }
      received += value.byteLength;
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return { bytes: join(chunks, received), complete: !stopped };
}

function join(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function peerProblem(response: Response, peer: PeerAt): Promise<Problem> {
  let error = '';
  let code = `http_${response.status}`;
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  let html = /\bhtml\b/.test(type);
  try {
    const { bytes } = await readCapped(response, MAX_ERROR_BODY_BYTES, PROBE_TIMEOUT_MS);
    const text = new TextDecoder().decode(bytes);
    if (!html && /^\s*<(?:!doctype|html|head|body|h\d|p|div|title)\b/i.test(text)) html = true;
    try {
      const body: unknown = JSON.parse(text);
      if (body && typeof body === 'object') {
        const record = body as Record<string, unknown>;
        if (typeof record.error === 'string' && record.error.trim()) error = record.error;
        // The peer's code, kept apart from ours (a peer saying token_required is not the bridge saying it).
        if (typeof record.code === 'string') code = `peer:${oneLine(record.code, 60)}`;
      }
    } catch {
      // not JSON
    }
  } catch {
    // a body that breaks off: the status says enough
  }
  const todo = response.status === 404 ? ': it may have been moved or removed, press Refresh' : '';
  if (error) return new Problem(`${peerSaid(peer.email, error)}${todo}`, code);
  let line = `the peer at ${peer.origin} answered HTTP ${response.status}`;
  if (response.status >= 500) {
    line += html
      ? ' with a web page instead of a relaylab answer: their server had a problem, or something other than relaylab answers at that address; press Refresh, or ask them to check their peer'
      : ': their server had a problem; press Refresh, or ask them to check their peer';
  } else if (html) line += ' with a web page instead of a relaylab answer: something other than relaylab may answer at that address';
  return new Problem(`${line}${todo}`, code);
}

function readJsonFailure(origin: string): Problem {
  return new Problem(`the peer at ${origin} sent a listing that is not valid JSON: Visit again or ask them to update relaylab`, 'bad_listing');
}

export interface Listing {
  entries: PeerEntry[];
  /** How many entries the peer sent, before checks and the cut. */
  total: number;
  /** Entries looked at and left out (no usable name, type ...). */
  skipped: number;
}

export async function listFolder(peer: PeerAt, segments: readonly string[], signal: AbortSignal, timeoutMs = LISTING_TIMEOUT_MS): Promise<Listing> {
  const { origin } = peer;
  // The whole listing, headers and body, within the limit (a peer may drip one byte a second).
  const deadline = new Deadline(signal, timeoutMs);
  let read: { bytes: Uint8Array; complete: boolean };
  try {
    const response = await peerFetch(listingUrl(origin, segments), peer, deadline.signal);
    try {
      read = await readCapped(response, MAX_LISTING_BYTES);
    } catch (error) {
      if (deadline.timedOut || isAbort(error)) throw error;
      throw new Problem(peerStopped(origin), 'peer_stopped');
    }
  } catch (error) {
    if (deadline.timedOut && !signal.aborted) throw timeoutProblem(peer, 'folder listing', timeoutMs);
    throw error;
  } finally {
    deadline.done();
  }
  if (!read.complete) throw new Problem(`the peer at ${origin} sent a folder listing bigger than ${formatBytes(MAX_LISTING_BYTES)}: it is not read here; ask them to share a smaller folder`, 'listing_too_large');
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(read.bytes));
  } catch {
    throw readJsonFailure(origin);
  }
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).entries : undefined;
  if (!Array.isArray(raw)) throw readJsonFailure(origin);
  const entries: PeerEntry[] = [];
  let skipped = 0;
  for (const item of raw) {
    if (entries.length >= MAX_ENTRIES) break;
    const { name, type, size, mtime } = item && typeof item === 'object' ? (item as Record<string, unknown>) : ({} as Record<string, unknown>);
    if (typeof name !== 'string' || !usableName(name) || (type !== 'file' && type !== 'directory')) {
      skipped++;
      continue;
    }
    entries.push({ name, type, size: believableSize(size), mtime: typeof mtime === 'string' ? mtime.slice(0, 64) : '' });
  }
  return { entries, total: raw.length, skipped };
}

/** A file's text from /content, read no further than `maxBytes` (the listed size is the peer's word, not a limit). */
export async function fetchText(peer: PeerAt, segments: readonly string[], signal: AbortSignal, maxBytes: number): Promise<string> {
  const blob = await fetchBytes(contentUrl(peer.origin, segments), peer, '', signal, () => {}, maxBytes);
  return blob.text();
}

export interface Progress {
  received: number;
  /** From Content-Length, or null when the peer did not say. */
  total: number | null;
}

/** Thrown by fetchBytes when the body is (or says it is) bigger than its cap. */
export const TOO_LARGE = 'too_large';

/**
 * The bytes of `url` as a Blob of `type`, reporting progress as chunks
 * arrive. Reads no more than `maxBytes` (a Content-Length above it fails
 * before reading anything): a Problem with code TOO_LARGE. A peer silent
 * for IDLE_TIMEOUT_MS fails with peer_timeout.
 */
export async function fetchBytes(url: string, peer: PeerAt, type: string, signal: AbortSignal, onProgress: (progress: Progress) => void, maxBytes = Infinity): Promise<Blob> {
  const { origin } = peer;
  const deadline = new Deadline(signal, IDLE_TIMEOUT_MS);
  const tooLarge = (said: number | null) =>
    new Problem(`the file at ${origin} is ${said !== null ? formatBytes(said) : 'bigger than it was listed'}, more than the ${formatBytes(maxBytes)} shown here: download it instead`, TOO_LARGE);
  try {
    const response = await peerFetch(url, peer, deadline.signal);
    deadline.touch();
    const length = Number(response.headers.get('content-length'));
    const total = Number.isSafeInteger(length) && length >= 0 && response.headers.has('content-length') ? length : null;
    if (total !== null && total > maxBytes) {
      void response.body?.cancel().catch(() => {});
      throw tooLarge(total);
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    onProgress({ received, total });
    if (response.body) {
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          deadline.touch();
          received += value.byteLength;
          if (received > maxBytes) {
            await reader.cancel().catch(() => {});
            throw tooLarge(null);
          }
          chunks.push(value);
          onProgress({ received, total });
        }
      } catch (error) {
        if (error instanceof Problem || isAbort(error) || deadline.timedOut) throw error;
        throw new Problem(peerStopped(origin), 'peer_stopped');
      }
    }
    if (total !== null && received !== total) throw new Problem(`the peer at ${origin} sent ${received} of ${total} bytes: try again`, 'short_read');
    return new Blob(chunks as BlobPart[], { type });
  } catch (error) {
    if (deadline.timedOut && !signal.aborted) throw timeoutProblem(peer, 'more of the file', IDLE_TIMEOUT_MS);
    throw error;
  } finally {
    deadline.done();
  }
}

/** Types a blob: URL of a preview may have: pictures, sound and video that cannot run a script. Never SVG, HTML, XML or text. */
const PREVIEW_BLOB_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/x-icon', 'image/avif']);

/** A blob: URL for a preview, refused for any type that could be a document with a script when opened as a page. */
export function previewBlobUrl(blob: Blob): string {
  if (!PREVIEW_BLOB_TYPES.has(blob.type) && !/^(?:audio|video)\/[a-z0-9.+-]+$/.test(blob.type)) throw new Problem('this picture cannot be shown here: download it instead', 'bad_preview_type');
  return URL.createObjectURL(blob);
}

/**
 * An SVG as a `data:image/svg+xml;base64,…` URL, never a blob: URL. Shown
 * in an <img>, its scripts never run; opened as a page (new tab, drag) a
 * data: URL has an opaque origin, so nothing in it can reach this page's
 * origin or its bridge.
 */
export function svgDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = typeof reader.result === 'string' ? reader.result : '';
      const comma = result.indexOf(',');
      if (comma < 0) return reject(new Problem('this picture could not be read', 'bad_svg'));
      resolve(`data:image/svg+xml;base64,${result.slice(comma + 1)}`);
    };
    reader.onerror = () => reject(new Problem('this picture could not be read', 'bad_svg'));
    // Untyped, so the reader's own prefix (replaced above) is never image/svg+xml from the peer.
    reader.readAsDataURL(new Blob([blob], { type: 'application/octet-stream' }));
  });
}
