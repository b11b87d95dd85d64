/**
 * The Peer Server (issue 3): plain HTTP, no auth, as in the seed.
 *
 *   GET /api/health           {status:"ok", email}
 *   GET /api/files[/{path}]   {path, entries:[{name, type, size, mtime}]}
 *   GET /content/{path}       the file as UTF-8 text
 *   GET /download/{path}      the bytes, Content-Length, single Range (206/416)
 *
 * HEAD works wherever GET does, and every route answers CORS for GET and HEAD
 * to pages on a loopback origin (RemoteHouse's; the origin echoed, never
 * credentials; OPTIONS preflights allow `Range`), so RemoteHouse's page may
 * fetch from it directly (the seed's Decision 3) while other web sites may not. Every path is confined to the root by
 * safe-path.ts. Errors are JSON `{error, code}`. Friends and their statuses
 * are never served here: they belong to the local user only, and neither
 * are private keys, dotfiles (unless serveDotfiles) nor `.relaylab`
 * folders (see private-files.ts); all of these are answered 404 not_found,
 * exactly as a missing file, and left out of listings.
 */
import type { Stats } from 'node:fs';
import { readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream';
import { isInside, resolveInsideRoot } from './safe-path.ts';
import { parseRange } from './range.ts';
import { hasDotSegment, isPrivateByPath, KeyVerdictCache, openRegular, RELAYLAB_FOLDER, resolvePrivatePaths, scanForPrivateKey, stampOf, type FileStamp } from './private-files.ts';

export interface PeerServerOptions {
  root: string;
  email: string;
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** Default: every interface, `::` dual-stack, falling back to `0.0.0.0` where IPv6 is off. Tests pass 127.0.0.1. */
  host?: string;
  /**
   * Never served or listed, even when inside the root: the identity folder
   * (private key), the friends list and its statuses. A user who serves
   * their home folder must not publish their key. They need not exist yet.
   * Always private besides these (see private-files.ts): `~/.relaylab`,
   * any folder named `.relaylab`, and anything that looks like a private key.
   */
  privatePaths?: string[];
  /** Serve and list dotfiles and dot-folders (`.env`, `.ssh/`, `.git/`); default false. `.relaylab` and keys stay private. */
  serveDotfiles?: boolean;
  /** Where key verdicts are kept; default one per server. Tests pass their own to count scans. */
  keyVerdicts?: KeyVerdictCache;
}

export interface RunningPeerServer {
  port: number;
  /** What it is bound to, e.g. `::` or `0.0.0.0`. */
  boundHost: string;
  close(): Promise<void>;
}

/** /content refuses bigger files: text that large belongs in /download. */
export const MAX_CONTENT_BYTES = 16 * 1024 * 1024;

/** `not_a_regular_file` (403): a FIFO, socket or device; never opened, since opening a FIFO waits for a writer. */
export type PeerErrorCode = 'not_found' | 'path_forbidden' | 'bad_path_encoding' | 'method_not_allowed' | 'not_a_directory' | 'not_a_file' | 'not_a_regular_file' | 'too_large' | 'range_not_satisfiable' | 'internal_error';

export async function startPeerServer(options: PeerServerOptions): Promise<RunningPeerServer> {
  const rootReal = await realpath(options.root);
  if (!(await stat(rootReal)).isDirectory()) throw Object.assign(new Error(`${options.root} is not a folder`), { code: 'ENOTDIR' });
  // ~/.relaylab holds every local identity's key and the relay's key: private whatever the root.
  // Absolute now (the working folder may change); real paths are taken per request.
  const privatePaths = [...(options.privatePaths ?? []), join(homedir(), RELAYLAB_FOLDER)].map((p) => resolve(p));
  const site: Site = { rootReal, email: options.email, privatePaths, serveDotfiles: options.serveDotfiles ?? false, verdicts: options.keyVerdicts ?? new KeyVerdictCache() };
  const server = createServer((req, res) => {
    handle(req, res, site).catch(() => sendError(res, 500, 'internal_error', 'internal error'));
  });
  server.keepAliveTimeout = 5_000;
  const boundHost = await listen(server, options.host, options.port ?? 0);
  return {
    port: (server.address() as AddressInfo).port,
    boundHost,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function listen(server: Server, host: string | undefined, port: number): Promise<string> {
  const attempt = (options: { host: string; port: number; ipv6Only?: boolean }) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(options, () => {
        server.off('error', onError);
        resolve();
      });
    });
  if (host !== undefined) {
    await attempt({ host, port });
    return host;
  }
  try {
    await attempt({ host: '::', port, ipv6Only: false });
    return '::';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw error;
    await attempt({ host: '0.0.0.0', port });
    return '0.0.0.0';
  }
}

interface Site {
  rootReal: string;
  email: string;
  /** Absolute, not yet real: see resolvePrivatePaths. */
  privatePaths: string[];
  serveDotfiles: boolean;
  verdicts: KeyVerdictCache;
}

/** A name or real path the site never shows (private-files.ts); the requested name counts too, for a `.env` link to a public file. */
function isHidden(site: Site, privateReal: string[], real: string, requested: string): boolean {
  if (!site.serveDotfiles && hasDotSegment(requested)) return true;
  return isPrivateByPath(site.rootReal, privateReal, real, { serveDotfiles: site.serveDotfiles });
}

async function handle(req: IncomingMessage, res: ServerResponse, site: Site): Promise<void> {
  const { email } = site;
  const rawUrl = req.url ?? '/';
  const rawPath = rawUrl.split('?')[0] ?? '/';
  if (req.method === 'OPTIONS' && isPublicRoute(rawPath)) return answerPreflight(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed; use GET`);
  }
  if (isPublicRoute(rawPath)) setCorsHeaders(req, res);
  if (rawPath === '/api/health') return sendJson(res, 200, { status: 'ok', email });
  if (rawPath === '/api/files' || rawPath.startsWith('/api/files/')) return listFolder(res, site, rawPath.slice('/api/files/'.length));
  if (rawPath.startsWith('/content/')) return sendContent(req, res, site, rawPath.slice('/content/'.length));
  if (rawPath.startsWith('/download/')) return sendDownload(req, res, site, rawPath.slice('/download/'.length));
  return sendError(res, 404, 'not_found', `no such route: ${rawPath.slice(0, 200)}`);
}

const PUBLIC_PREFIXES = ['/api/files/', '/content/', '/download/'];

function isPublicRoute(rawPath: string): boolean {
  return rawPath === '/api/health' || rawPath === '/api/files' || PUBLIC_PREFIXES.some((p) => rawPath.startsWith(p));
}

/**
 * RemoteHouse's page always lives on a loopback origin (its bridge refuses any other Host).
 * Only such a page may read us from a browser: with `*`, any web site a user visits could
 * read every Peer Server its browser can reach (its own on loopback, the LAN's behind NAT),
 * which the network itself would not let that site reach. A rebinding page keeps its own
 * name as Origin, so it is refused too.
 */
const LOOPBACK_ORIGIN = /^http:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(?::\d{1,5})?$/;

export function corsOriginFor(origin: string | undefined): string | null {
  return typeof origin === 'string' && LOOPBACK_ORIGIN.test(origin) ? origin : null;
}

function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('vary', 'origin');
  const allowed = corsOriginFor(req.headers.origin);
  if (allowed === null) return;
  res.setHeader('access-control-allow-origin', allowed);
  // Progress bars and resumed downloads need these; Content-Length is readable anyway.
  res.setHeader('access-control-expose-headers', 'content-length, content-range, content-disposition, accept-ranges, last-modified');
}

/** A CORS preflight (a Range header makes one): GET and HEAD only, no credentials, loopback origins only. */
function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  setCorsHeaders(req, res);
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'range',
    'access-control-max-age': '600',
    allow: 'GET, HEAD, OPTIONS',
    'content-length': 0,
  });
  res.end();
}

interface Target {
  realPath: string;
  relative: string;
  kind: 'directory' | 'file' | 'other';
  /** This request's real private paths, for the entries of a listing. */
  privateReal: string[];
}

/** Resolves, refuses private paths, and stats: nothing is opened here, so a FIFO cannot hang it. */
async function resolveOrFail(res: ServerResponse, site: Site, rawPath: string): Promise<Target | null> {
  const resolved = await resolveInsideRoot(site.rootReal, rawPath);
  if (!resolved.ok) return refuse(res, resolved.status, resolved.code, resolved.error);
  const privateReal = await resolvePrivatePaths(site.privatePaths);
  const info = isHidden(site, privateReal, resolved.realPath, resolved.relative) ? null : await stat(resolved.realPath).catch(() => null);
  // A private path is answered exactly as a missing one: its existence is private too.
  if (!info) return refuse(res, 404, 'not_found', `no such file: ${resolved.relative}`);
  return { realPath: resolved.realPath, relative: resolved.relative, kind: kindOf(info), privateReal };
}

function kindOf(info: Stats): Target['kind'] {
  return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'other';
}

export interface FileEntry {
  name: string;
  type: 'file' | 'directory';
  size: number;
  /** ISO 8601. */
  mtime: string;
}

async function listFolder(res: ServerResponse, site: Site, rawPath: string): Promise<void> {
  const target = await resolveOrFail(res, site, rawPath);
  if (!target) return;
  if (target.kind !== 'directory') return sendError(res, 400, 'not_a_directory', `${target.relative} is not a folder; fetch a file from /download/${target.relative}`);
  const names = (await readdir(target.realPath)).filter((name) => site.serveDotfiles || !name.startsWith('.'));
  const described = await mapLimit(names, LISTING_CONCURRENCY, (name) => describeEntry(site, target.privateReal, join(target.realPath, name), name));
  const entries = described.filter((entry): entry is FileEntry => entry !== null);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  sendJson(res, 200, { path: target.relative, entries });
}

/**
 * Symlinks are followed only when they stay inside the root; others are not
 * listed at all, nor are FIFOs, sockets and devices (they cannot be served).
 */
async function describeEntry(site: Site, privateReal: string[], fullPath: string, name: string): Promise<FileEntry | null> {
  try {
    const real = await realpath(fullPath);
    if (!isInside(site.rootReal, real) || isHidden(site, privateReal, real, name)) return null;
    const info = await stat(real);
    const mtime = new Date(info.mtimeMs).toISOString();
    if (info.isDirectory()) return { name, type: 'directory', size: 0, mtime };
    // A known verdict for this very stamp answers without opening the file.
    if (!info.isFile() || (await site.verdicts.holdsKey(real, stampOf(info), () => scanPath(real)))) return null;
    return { name, type: 'file', size: info.size, mtime };
  } catch {
    return null; // dangling link or vanished file
  }
}

/** Files judged at once by one listing: enough to overlap reads, few enough to leave the thread pool to others. */
const LISTING_CONCURRENCY = 4;

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Opens and scans a file for a listing; not a regular file any more (a FIFO swapped in) counts as a key. */
async function scanPath(real: string): Promise<{ holdsKey: boolean; stamp: FileStamp | null }> {
  const file = await openRegular(real);
  if (!file) return { holdsKey: true, stamp: null };
  try {
    return { holdsKey: await scanForPrivateKey(file.handle, file.size), stamp: file.stamp };
  } finally {
    await file.handle.close();
  }
}

interface OpenFile {
  handle: FileHandle;
  relative: string;
  size: number;
  mtimeMs: number;
}

/** The open file to serve, or null once an error has been sent. The caller owns (closes) the handle. */
async function openServable(res: ServerResponse, site: Site, rawPath: string): Promise<OpenFile | null> {
  const target = await resolveOrFail(res, site, rawPath);
  if (!target) return null;
  const { relative } = target;
  if (target.kind === 'directory') return refuse(res, 400, 'not_a_file', `${relative || '/'} is a folder; list it at /api/files/${relative}`);
  if (target.kind === 'other') return refuse(res, 403, 'not_a_regular_file', `${relative} is not a regular file (a FIFO, socket or device); only regular files are served`);
  const file = await openRegular(target.realPath).catch(() => null);
  // Judged on the open descriptor's stamp: the bytes about to be sent, whatever the path points at now.
  const scanOpen = async () => ({ holdsKey: await scanForPrivateKey(file!.handle, file!.size), stamp: file!.stamp });
  if (file && !(await site.verdicts.holdsKey(target.realPath, file.stamp, scanOpen))) return { ...file, relative };
  await file?.handle.close();
  return refuse(res, 404, 'not_found', `no such file: ${relative}`);
}

async function sendContent(req: IncomingMessage, res: ServerResponse, site: Site, rawPath: string): Promise<void> {
  const file = await openServable(res, site, rawPath);
  if (!file) return;
  if (file.size > MAX_CONTENT_BYTES) {
    await file.handle.close();
    return sendError(res, 413, 'too_large', `${file.relative} is ${file.size} bytes; fetch it from /download/${file.relative}`);
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': file.size, 'x-content-type-options': 'nosniff' });
  // Streamed, never read whole: many concurrent requests must not each hold up to 16 MiB.
  streamFile(req, res, file, 0, file.size - 1);
}

async function sendDownload(req: IncomingMessage, res: ServerResponse, site: Site, rawPath: string): Promise<void> {
  const file = await openServable(res, site, rawPath);
  if (!file) return;
  const range = parseRange(req.headers.range, file.size);
  if (range.kind === 'unsatisfiable') {
    await file.handle.close();
    res.setHeader('content-range', `bytes */${file.size}`);
    return sendError(res, 416, 'range_not_satisfiable', `range ${req.headers.range} is outside the ${file.size}-byte file`);
  }
  const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, file.size - 1];
  res.writeHead(range.kind === 'range' ? 206 : 200, {
    ...downloadHeaders(file),
    'content-length': file.size === 0 ? 0 : end - start + 1,
    ...(range.kind === 'range' ? { 'content-range': `bytes ${start}-${end}/${file.size}` } : {}),
  });
  streamFile(req, res, file, start, end);
}

function downloadHeaders(file: OpenFile): Record<string, string> {
  const name = file.relative.split('/').at(-1) ?? 'download';
  return {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    'last-modified': new Date(file.mtimeMs).toUTCString(),
  };
}

/** Sends bytes start..end (inclusive) of the already-open file, which it closes in every case. */
function streamFile(req: IncomingMessage, res: ServerResponse, file: OpenFile, start: number, end: number): void {
  if (req.method === 'HEAD' || end < start) {
    res.end();
    return void file.handle.close().catch(() => {});
  }
  // pipeline, not pipe: a client that hangs up mid-transfer destroys the
  // file stream too, which closes the descriptor (pipe() would leak it).
  pipeline(file.handle.createReadStream({ start, end }), res, () => {});
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: PeerErrorCode, error: string): void {
  sendJson(res, status, { error, code });
}

/** sendError for helpers that answer null once they have answered the client. */
function refuse(res: ServerResponse, status: number, code: PeerErrorCode, error: string): null {
  sendError(res, status, code, error);
  return null;
}
