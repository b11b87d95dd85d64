/**
 * RemoteHouse's local server: serves the page and the bridge API the page
 * calls (bridge-contract.ts), over the library API (reference/peer/api/).
 * The seed's Decision 3: a browser cannot do mutual TLS, so this process
 * talks to the relay and runs the try-order; the page then fetches the
 * winning Peer Server itself.
 *
 * Loopback only, Host and token checked on every call (guard.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeValidEmail } from '../../shared/email.ts';
import { connectToPeer, describeAttempt } from '../api/connect-to-peer.ts';
import { lookupPeer, MAX_LIST_LIMIT, queryRelayPeers, RelayCallError } from '../api/relay-peers.ts';
import { TRY_STRATEGIES, type TryStrategy } from '../core/try-order.ts';
import type { RunningPeer } from '../http/run-peer.ts';
import { windowOf } from '../../identity/renewal-files.ts';
import { uiAssets, etagOf, type UiAssets } from './assets.ts';
import { BRIDGE_PATHS, type BridgeError, type ConnectEvent, type StatusEvent } from './bridge-contract.ts';
import { checkHost, checkOrigin, checkToken, hostPort, newToken, SECURITY_HEADERS, type GuardRefusal } from './guard.ts';
import { attemptView, friendView, meView, onlinePeerView } from './views.ts';
import { explainConnect, explainRelayError } from './explain.ts';

export interface RemoteHouseOptions {
  peer: RunningPeer;
  /** 127.0.0.1 (default) or ::1: never anything a neighbour could reach. */
  host?: '127.0.0.1' | '::1';
  /** 0 (default): the OS chooses. */
  port?: number;
  /** Tests pass their own; default a fresh random one per run. */
  token?: string;
  attemptTimeoutMs?: number;
  strategy?: TryStrategy;
  /** Between keep-alive comments on open event streams. */
  keepAliveMs?: number;
}

export interface RunningRemoteHouse {
  /** http://127.0.0.1:PORT/#t=TOKEN: what the user opens. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;

export async function startRemoteHouse(options: RemoteHouseOptions): Promise<RunningRemoteHouse> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') throw new RangeError(`RemoteHouse listens on loopback only (127.0.0.1 or ::1), not ${String(host)}`);
  if (!options.peer.friendsList) throw new RangeError('RemoteHouse needs a peer started with a friends list (RunPeerOptions.friends)');
  const assets = await uiAssets();
  const token = options.token ?? newToken();
  const streams = new Set<ServerResponse>();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const expectedHost = hostPort(host, port);
  const context: Context = { ...options, pages: pagesOf(assets), token, expectedHost, streams, keepAliveMs: options.keepAliveMs ?? 15_000 };
  server.on('request', (req, res) => {
    route(req, res, context).catch((error: unknown) => sendError(res, 500, { code: 'internal_error', error: `internal error: ${(error as Error).message}` }));
  });
  const origin = `http://${expectedHost}`;
  return {
    url: `${origin}/#t=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Context extends RemoteHouseOptions {
  /** The page's files, their bytes and ETags computed once at start. */
  pages: ReadonlyMap<string, Page>;
  token: string;
  expectedHost: string;
  streams: Set<ServerResponse>;
  keepAliveMs: number;
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const refused = checkHost(req, ctx.expectedHost) ?? checkOrigin(req, ctx.expectedHost);
  if (refused) return refuse(res, refused);
  const url = new URL(req.url ?? '/', `http://${ctx.expectedHost}`);
  const path = url.pathname;
  if (!path.startsWith('/bridge/')) return serveAsset(req, res, ctx, path);
  const noToken = checkToken(req, ctx.token);
  if (noToken) return refuse(res, noToken);
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === BRIDGE_PATHS.me) return sendJson(res, 200, currentMe(ctx));
  if (method === 'GET' && path === BRIDGE_PATHS.peers) return listPeers(res, ctx, url.searchParams);
  if (method === 'GET' && path === BRIDGE_PATHS.lookup) return lookUp(res, ctx, url.searchParams.get('email'));
  if (method === 'POST' && path === BRIDGE_PATHS.connect) return connect(req, res, ctx);
  if (method === 'GET' && path === BRIDGE_PATHS.events) return streamStatus(req, res, ctx);
  if (path === BRIDGE_PATHS.friends) {
    if (method === 'GET') return sendJson(res, 200, { friends: friendsOf(ctx).snapshot().map(friendView) });
    if (method === 'POST') return addFriend(req, res, ctx);
  }
  const friendPath = /^\/bridge\/friends\/([^/]+)(\/check)?$/.exec(path);
  if (friendPath) {
    const raw = decodeOrNull(friendPath[1]!);
    if (raw === null) return sendError(res, 400, { code: 'bad_request', error: 'the email in the path is not valid percent-encoding' });
    return friendCall(res, ctx, method, raw, friendPath[2] !== undefined);
  }
  return sendError(res, 404, { code: 'not_found', error: `no bridge call ${method} ${path.slice(0, 100)}` });
}

async function serveAsset(req: IncomingMessage, res: ServerResponse, ctx: Context, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 405, { code: 'method_not_allowed', error: `${req.method} is not allowed here` });
  }
  // Browsers ask for one unprompted; nothing to show, and a 404 would log an error on the page.
  if (path === '/favicon.ico') return void res.writeHead(204).end();
  const page = ctx.pages.get(path);
  if (!page) return sendError(res, 404, { code: 'not_found', error: `no such page: ${path.slice(0, 100)}` });
  res.writeHead(200, { 'content-type': page.type, 'content-length': page.body.length, etag: page.etag });
  res.end(req.method === 'HEAD' ? undefined : page.body);
}

interface Page {
  type: string;
  body: Buffer;
  etag: string;
}

function pagesOf(assets: UiAssets): ReadonlyMap<string, Page> {
  const page = (type: string, text: string): Page => ({ type, body: Buffer.from(text), etag: etagOf(text) });
  return new Map([
    ['/', page('text/html; charset=utf-8', assets.html)],
    ['/app.js', page('text/javascript; charset=utf-8', assets.js)],
    ['/app.css', page('text/css; charset=utf-8', assets.css)],
  ]);
}

function currentMe(ctx: Context) {
  const identity = ctx.peer.currentIdentity();
  let notAfterMs: number | null = null;
  try {
    notAfterMs = windowOf(identity).notAfterMs;
  } catch {
    notAfterMs = null;
  }
  return meView({ email: identity.email, fingerprintSha256: identity.fingerprintSha256, relayUrl: ctx.peer.relayUrl, certificateNotAfterMs: notAfterMs, serverPort: ctx.peer.port }, ctx.peer.status());
}

/** Asserted at start: a RemoteHouse peer always has a friends list. */
function friendsOf(ctx: Context) {
  return ctx.peer.friendsList!;
}

async function listPeers(res: ServerResponse, ctx: Context, params: URLSearchParams): Promise<void> {
  const limitText = params.get('limit');
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)) return sendError(res, 400, { code: 'invalid_limit', error: `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${JSON.stringify(limitText)}` });
  try {
    const page = await queryRelayPeers(ctx.peer.relayClient(), { ...(limit !== undefined ? { limit } : {}), ...(params.get('cursor') ? { cursor: params.get('cursor')! } : {}), ...(params.get('q') ? { filter: params.get('q')! } : {}) });
    const friends = new Set(friendsOf(ctx).snapshot().map((f) => f.email));
    return sendJson(res, 200, { peers: page.peers.map((p) => onlinePeerView(p, friends)), nextCursor: page.nextCursor, ...(params.get('q') ? { scanned: page.scanned } : {}) });
  } catch (error) {
    if (error instanceof RelayCallError) return sendError(res, 502, explainRelayError(error, ctx.peer.relayUrl));
    throw error;
  }
}

async function lookUp(res: ServerResponse, ctx: Context, raw: string | null): Promise<void> {
  const email = normalizeValidEmail(raw);
  if (!email) return sendError(res, 400, { code: 'invalid_email', error: `${JSON.stringify(raw)} is not an email address` });
  const found = await lookupPeer(ctx.peer.relay, email);
  if (found.kind === 'found') return sendJson(res, 200, { found: true, email, port: found.port, addresses: found.addresses });
  if (found.kind === 'not_found') return sendJson(res, 200, { found: false, email });
  return sendError(res, 502, explainConnect({ kind: 'error', code: found.code, message: found.message }, email, ctx.peer.relayUrl));
}

async function connect(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const body = await readJson(req, res);
  if (body === undefined) return;
  const email = normalizeValidEmail((body as { email?: unknown })?.email);
  if (!email) return sendError(res, 400, { code: 'invalid_email', error: 'connect needs {"email": "..."} with an email address' });
  const strategyRaw = (body as { strategy?: unknown }).strategy ?? ctx.strategy ?? 'sequential';
  if (!TRY_STRATEGIES.includes(strategyRaw as TryStrategy)) return sendError(res, 400, { code: 'invalid_strategy', error: `strategy must be one of ${TRY_STRATEGIES.join(', ')}` });
  const stream = openStream(res);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const send = (event: ConnectEvent) => stream.send(event.type, event);
  const connection = connectToPeer(ctx.peer.relay, email, {
    strategy: strategyRaw as TryStrategy,
    ...(ctx.attemptTimeoutMs ? { attemptTimeoutMs: ctx.attemptTimeoutMs } : {}),
    signal: abort.signal,
    onLookup: (found) => send({ type: 'lookup', email, port: found.port, addresses: found.addresses }),
    onAttemptStart: (a) => send({ type: 'attempt_started', index: a.index, address: a.address, port: a.port }),
    onAttempt: (a) => send({ type: 'attempt', attempt: attemptView(a) }),
  });
  const outcome = await connection.result;
  if (outcome.kind === 'connected') {
    send({ type: 'done', outcome: 'connected', email, origin: outcome.origin, verifiedEmail: outcome.verifiedEmail, elapsedMs: outcome.tries.elapsedMs, message: null, code: null });
  } else {
    const why = explainConnect(outcome, email, ctx.peer.relayUrl, outcome.kind === 'unreachable' ? outcome.tries.attempts.map(describeAttempt) : []);
    send({ type: 'done', outcome: outcome.kind, email, origin: null, verifiedEmail: null, elapsedMs: outcome.kind === 'unreachable' ? outcome.tries.elapsedMs : null, message: `${why.error}: ${why.hint}`, code: why.code });
  }
  stream.end();
}

function streamStatus(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  const stream = openStream(res);
  ctx.streams.add(res);
  const sendMe = () => stream.send('me', { type: 'me', me: currentMe(ctx) } satisfies StatusEvent);
  const sendFriends = () => stream.send('friends', { type: 'friends', friends: friendsOf(ctx).snapshot().map(friendView) } satisfies StatusEvent);
  sendMe();
  sendFriends();
  const offStatus = ctx.peer.onStatus(sendMe);
  const offFriends = friendsOf(ctx).subscribe(sendFriends);
  const keepAlive = setInterval(() => stream.comment('keep-alive'), ctx.keepAliveMs);
  res.on('close', () => {
    clearInterval(keepAlive);
    offStatus();
    offFriends();
    ctx.streams.delete(res);
  });
  req.resume();
}

async function addFriend(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const body = await readJson(req, res);
  if (body === undefined) return;
  const email = normalizeValidEmail((body as { email?: unknown })?.email);
  if (!email) return sendError(res, 400, { code: 'invalid_email', error: `${JSON.stringify((body as { email?: unknown })?.email ?? null)} is not an email address`, hint: 'type the friend\'s email, e.g. alice@example.com' });
  if (email === ctx.peer.email) return sendError(res, 400, { code: 'friend_is_self', error: 'that is your own email', hint: 'add someone else\'s email' });
  try {
    const state = await friendsOf(ctx).add(email);
    return sendJson(res, 200, friendView(state));
  } catch (error) {
    return sendError(res, 500, { code: 'friends_file_unwritable', error: `could not save the friends list: ${(error as Error).message}`, hint: 'check the friends file is writable' });
  }
}

async function friendCall(res: ServerResponse, ctx: Context, method: string, raw: string, check: boolean): Promise<void> {
  const email = normalizeValidEmail(raw);
  if (!email) return sendError(res, 400, { code: 'invalid_email', error: `${JSON.stringify(raw)} is not an email address` });
  const list = friendsOf(ctx);
  if (check && method === 'POST') {
    if (!list.check(email)) return sendError(res, 404, { code: 'not_a_friend', error: `${email} is not in your friends list` });
    return sendJson(res, 202, { checking: email });
  }
  if (!check && method === 'DELETE') {
    if (!(await list.remove(email))) return sendError(res, 404, { code: 'not_a_friend', error: `${email} is not in your friends list` });
    res.writeHead(204).end();
    return;
  }
  res.setHeader('allow', check ? 'POST' : 'DELETE');
  return sendError(res, 405, { code: 'method_not_allowed', error: `${method} is not allowed on this path` });
}

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The JSON body, or undefined after answering 400/413 itself. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const text = await new Promise<string | null>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      // Past the limit the rest is read and dropped (not destroyed: that could lose the answer).
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
  if (text === null) {
    res.setHeader('connection', 'close');
    sendError(res, 413, { code: 'body_too_large', error: `a bridge call's body is at most ${MAX_BODY_BYTES} bytes` });
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // answered below
  }
  sendError(res, 400, { code: 'bad_request', error: 'the body must be a JSON object' });
  return undefined;
}

function openStream(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  return {
    send(name: string, data: unknown) {
      if (!res.writableEnded) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    comment(text: string) {
      if (!res.writableEnded) res.write(`: ${text}\n\n`);
    },
    end() {
      if (!res.writableEnded) res.end();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: BridgeError): void {
  sendJson(res, status, error);
}

function refuse(res: ServerResponse, refusal: GuardRefusal): void {
  sendError(res, refusal.status, { code: refusal.code, error: refusal.error, hint: refusal.hint });
}

