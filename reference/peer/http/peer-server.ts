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
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { isInside, resolveInsideRoot } from './safe-path.ts';
import { parseRange } from './range.ts';

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
   * their home folder must not publish their key. Always private besides
   * these (see isPrivate): `~/.relaylab`, any folder named `.relaylab`,
   * and anything that looks like a private key.
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

export type PeerErrorCode = 'not_found' | 'path_forbidden' | 'bad_path_encoding' | 'method_not_allowed' | 'not_a_directory' | 'not_a_file' | 'too_large' | 'range_not_satisfiable' | 'internal_error';

export async function startPeerServer(options: PeerServerOptions): Promise<RunningPeerServer> {
  const rootReal = await realpath(options.root);
  if (!(await stat(rootReal)).isDirectory()) throw Object.assign(new Error(`${options.root} is not a folder`), { code: 'ENOTDIR' });
  // ~/.relaylab holds every local identity's key and the relay's key: private whatever the root.
  const privatePaths = [...(options.privatePaths ?? []), join(homedir(), RELAYLAB_FOLDER)];
  const site: Site = { rootReal, email: options.email, privateReal: await Promise.all(privatePaths.map(realOrResolved)) };
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
  privateReal: string[];
}

/** A private path that does not exist yet (a friends file before its first save) still counts. */
async function realOrResolved(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

const RELAYLAB_FOLDER = '.relaylab';
/** How much of a file is read to tell a PEM private key from other content. */
const KEY_SNIFF_BYTES = 1024;
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Private by name alone: `key.pem`, `*-key.pem`, `*.key` (any case). */
export function isPrivateKeyName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'key.pem' || lower.endsWith('-key.pem') || lower.endsWith('.key');
}

/**
 * Whether a real path (inside the root) must never be listed or served: a
 * configured private path (or inside one), anything under a `.relaylab`
 * folder, a key by its name, or a file whose first bytes are a PEM private
 * key (`-----BEGIN ... PRIVATE KEY-----`, whatever its name).
 */
async function isPrivate(site: Site, real: string): Promise<boolean> {
  if (site.privateReal.some((p) => isInside(p, real))) return true;
  if (relative(site.rootReal, real).split(sep).includes(RELAYLAB_FOLDER)) return true;
  if (isPrivateKeyName(basename(real))) return true;
  return startsLikePrivateKey(real);
}

async function startsLikePrivateKey(real: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(real, 'r');
    if (!(await handle.stat()).isFile()) return false;
    const buffer = Buffer.alloc(KEY_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, KEY_SNIFF_BYTES, 0);
    const head = buffer.subarray(0, bytesRead).toString('latin1');
    return head.trimStart().startsWith('-----BEGIN') && PRIVATE_KEY_PEM.test(head);
  } catch {
    return false; // unreadable: the caller's stat/read answers 404 anyway
  } finally {
    await handle?.close();
  }
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
  if (rawPath.startsWith('/content/')) return sendContent(res, site, rawPath.slice('/content/'.length));
  if (rawPath.startsWith('/download/')) return sendDownload(req, res, site, rawPath.slice('/download/'.length));
  return sendError(res, 404, 'not_found', `no such route: ${rawPath.slice(0, 200)}`);
}

async function resolveOrFail(res: ServerResponse, site: Site, rawPath: string): Promise<{ realPath: string; relative: string; size: number; isDirectory: boolean; mtimeMs: number } | null> {
  const resolved = await resolveInsideRoot(site.rootReal, rawPath);
  if (!resolved.ok) {
    sendError(res, resolved.status, resolved.code, resolved.error);
    return null;
  }
  if (await isPrivate(site, resolved.realPath)) {
    // Answer exactly as for a missing file: its existence is private too.
    sendError(res, 404, 'not_found', `no such file: ${resolved.relative}`);
    return null;
  }
  try {
    const info = await stat(resolved.realPath);
    return { realPath: resolved.realPath, relative: resolved.relative, size: info.size, isDirectory: info.isDirectory(), mtimeMs: info.mtimeMs };
  } catch {
    sendError(res, 404, 'not_found', `no such file: ${resolved.relative}`);
    return null;
  }
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
  if (!target.isDirectory) return sendError(res, 400, 'not_a_directory', `${target.relative} is a file; fetch it from /download/${target.relative}`);
  const entries: FileEntry[] = [];
  for (const dirent of await readdir(target.realPath, { withFileTypes: true })) {
    const entry = await describeEntry(site, join(target.realPath, dirent.name), dirent.name);
    if (entry) entries.push(entry);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  sendJson(res, 200, { path: target.relative, entries });
}

/** Symlinks are followed only when they stay inside the root; others are not listed at all. */
async function describeEntry(site: Site, fullPath: string, name: string): Promise<FileEntry | null> {
  try {
    const real = await realpath(fullPath);
    if (!isInside(site.rootReal, real) || (await isPrivate(site, real))) return null;
    const info = await stat(real);
    if (!info.isFile() && !info.isDirectory()) return null;
    return { name, type: info.isDirectory() ? 'directory' : 'file', size: info.isDirectory() ? 0 : info.size, mtime: new Date(info.mtimeMs).toISOString() };
  } catch {
    return null; // dangling link or vanished file
  }
}

async function sendContent(res: ServerResponse, site: Site, rawPath: string): Promise<void> {
  const target = await resolveOrFail(res, site, rawPath);
  if (!target) return;
  if (target.isDirectory) return sendError(res, 400, 'not_a_file', `${target.relative || '/'} is a folder; list it at /api/files/${target.relative}`);
  if (target.size > MAX_CONTENT_BYTES) return sendError(res, 413, 'too_large', `${target.relative} is ${target.size} bytes; fetch it from /download/${target.relative}`);
  const text = await readFile(target.realPath, 'utf8');
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-content-type-options': 'nosniff' });
  res.end(text);
}

async function sendDownload(req: IncomingMessage, res: ServerResponse, site: Site, rawPath: string): Promise<void> {
  const target = await resolveOrFail(res, site, rawPath);
  if (!target) return;
  if (target.isDirectory) return sendError(res, 400, 'not_a_file', `${target.relative || '/'} is a folder`);
  const name = target.relative.split('/').at(-1) ?? 'download';
  const common = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    'last-modified': new Date(target.mtimeMs).toUTCString(),
  };
  const range = parseRange(req.headers.range, target.size);
  if (range.kind === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${target.size}`);
    return sendError(res, 416, 'range_not_satisfiable', `range ${req.headers.range} is outside the ${target.size}-byte file`);
  }
  const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, target.size - 1];
  const length = target.size === 0 ? 0 : end - start + 1;
  res.writeHead(range.kind === 'range' ? 206 : 200, {
    ...common,
    'content-length': length,
    ...(range.kind === 'range' ? { 'content-range': `bytes ${start}-${end}/${target.size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) return void res.end();
  // pipeline, not pipe: a client that hangs up mid-download destroys the
  // file stream too, so its descriptor is closed (pipe() would leak it).
  pipeline(createReadStream(target.realPath, { start, end }), res, () => {});
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
