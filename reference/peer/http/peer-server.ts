/**
 * The Peer Server (issue 3): plain HTTP, no auth, as in the seed.
 *
 *   GET /api/health           {status:"ok", email}
 *   GET /api/files[/{path}]   {path, entries:[{name, type, size, mtime}]}
 *   GET /content/{path}       the file as UTF-8 text
 *   GET /download/{path}      the bytes, Content-Length, single Range (206/416)
 *
 * HEAD works wherever GET does. Every path is confined to the root by
 * safe-path.ts. Errors are JSON `{error, code}`. Friends and their statuses
 * are never served here: they belong to the local user only.
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
import { holdsPrivateKey, isPrivateByPath, openRegular, RELAYLAB_FOLDER, resolvePrivatePaths } from './private-files.ts';

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
  const site: Site = { rootReal, email: options.email, privatePaths };
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
}

async function handle(req: IncomingMessage, res: ServerResponse, site: Site): Promise<void> {
  const { email } = site;
  const rawUrl = req.url ?? '/';
  const rawPath = rawUrl.split('?')[0] ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed; use GET`);
  }
  if (rawPath === '/api/health') return sendJson(res, 200, { status: 'ok', email });
  if (rawPath === '/api/files' || rawPath.startsWith('/api/files/')) return listFolder(res, site, rawPath.slice('/api/files/'.length));
  if (rawPath.startsWith('/content/')) return sendContent(req, res, site, rawPath.slice('/content/'.length));
  if (rawPath.startsWith('/download/')) return sendDownload(req, res, site, rawPath.slice('/download/'.length));
  return sendError(res, 404, 'not_found', `no such route: ${rawPath.slice(0, 200)}`);
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
  const info = isPrivateByPath(site.rootReal, privateReal, resolved.realPath) ? null : await stat(resolved.realPath).catch(() => null);
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
  const entries: FileEntry[] = [];
  for (const dirent of await readdir(target.realPath, { withFileTypes: true })) {
    const entry = await describeEntry(site, target.privateReal, join(target.realPath, dirent.name), dirent.name);
    if (entry) entries.push(entry);
  }
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
    if (!isInside(site.rootReal, real) || isPrivateByPath(site.rootReal, privateReal, real)) return null;
    const info = await stat(real);
    const mtime = new Date(info.mtimeMs).toISOString();
    if (info.isDirectory()) return { name, type: 'directory', size: 0, mtime };
    if (!info.isFile() || (await hidesKey(real))) return null;
    return { name, type: 'file', size: info.size, mtime };
  } catch {
    return null; // dangling link or vanished file
  }
}

/** True when the file holds a key, or is no longer a regular file by the time it is opened. */
async function hidesKey(real: string): Promise<boolean> {
  const file = await openRegular(real);
  if (!file) return true;
  try {
    return await holdsPrivateKey(file.handle, file.size);
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
  if (file && !(await holdsPrivateKey(file.handle, file.size).catch(() => true))) return { ...file, relative };
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
