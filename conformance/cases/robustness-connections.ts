/**
 * SPEC ROB-1 and ROB-2: robustness at the connection level, below HTTP.
 * Raw sockets to the target's own host and port (and nowhere else): ROB-1
 * opens two that never finish a TLS handshake and times how long the relay
 * keeps them; ROB-2 holds 200 slow-header connections open while an honest
 * client keeps using the connection it opened before them. Every socket is
 * destroyed before the case ends, whatever happened.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client } from 'undici';
import type { CaseContext } from '../runner/types.ts';
import { describeTransportError } from '../runner/target.ts';
import { CaseSkip, check, fail, SetupFailure } from '../runner/verify.ts';
import { defineCases, PATHS } from './steps.ts';

/** ROB-1's bound, on the relay's clock. */
export const ROB1_CLOSE_LIMIT_MS = 60_000;
/**
 * Real time allowed past the bound before a socket counts as left open
 * (timer slack and scheduling on a loaded machine): a tenth of the real wait,
 * from 100 ms to 2 s. Under --time-warp K a fixed 2 s would let a relay
 * through K × 2 s late on its own clock; a tenth keeps it within 10 %.
 */
export const ROB1_MARGIN_MS = 2000;
const ROB1_MIN_MARGIN_MS = 100;

/** Real milliseconds to wait for a close: the bound on the relay's clock, scaled by --time-warp (the suite's waits are), plus the margin. */
export function rob1WaitMs(warp: number): number {
  const boundMs = ROB1_CLOSE_LIMIT_MS / warp;
  return Math.round(boundMs + Math.min(ROB1_MARGIN_MS, Math.max(ROB1_MIN_MARGIN_MS, boundMs / 10)));
}

/** ROB-2: slow connections held open, and the answer time the honest client is owed meanwhile. */
export const ROB2_SLOW_CONNECTIONS = 200;
export const ROB2_ANSWER_LIMIT_MS = 1000;
/** Slow connections are opened in batches, so the relay sees them arrive over about half a second, not in one burst. */
const ROB2_BATCH = 20;
const ROB2_BATCH_INTERVAL_MS = 50;
/** Each slow connection sends one more byte of its request this often. */
const ROB2_TRICKLE_INTERVAL_MS = 100;
/** Every slow connection has been accepted or refused by then (or is counted as neither). */
const ROB2_OPEN_DEADLINE_MS = 5000;
/** How long the honest client keeps being served with every slow connection open, and how often it asks. */
const ROB2_MEASURE_MS = 1500;
const ROB2_HONEST_INTERVAL_MS = 250;

/** Where the target listens: its host (brackets off an IPv6 literal) and port. */
function endpointOf(context: CaseContext): { host: string; port: number; tls: boolean } {
  const url = context.client.url;
  const tls = url.protocol === 'https:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (tls ? 443 : 80)), tls };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TLS record header (handshake, record version 3.1) announcing 512 bytes,
 * then only the first 38 of them: the ClientHello's header, version and
 * random. A relay that waits for the rest waits forever.
 */
function halfClientHello(): Buffer {
  const announced = 512;
  const handshakeLength = announced - 4;
  return Buffer.concat([
    Buffer.from([0x16, 0x03, 0x01, announced >> 8, announced & 0xff]),
    Buffer.from([0x01, handshakeLength >> 16, (handshakeLength >> 8) & 0xff, handshakeLength & 0xff, 0x03, 0x03]),
    randomBytes(32),
  ]);
}

interface Watched {
  what: string;
  /** Real milliseconds from connect to the relay's close (FIN, reset or close), or null when still open at the bound. */
  closedAfterMs: number | null;
  how: string;
}

/**
 * Opens a TCP connection (into `sockets`, so the case can destroy them all),
 * sends `payload` (if any), and waits for the relay to close it, at most
 * `limitRealMs` after it connected.
 */
function watchClose(host: string, port: number, what: string, payload: Buffer | null, limitRealMs: number, sockets: Socket[]): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    sockets.push(socket);
    let connectedAt: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const settle = (how: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ what, closedAfterMs: how === null ? null : Math.round(performance.now() - (connectedAt as number)), how: how ?? 'open' });
    };
    socket.once('connect', () => {
      connectedAt = performance.now();
      timer = setTimeout(() => settle(null), limitRealMs);
      if (payload) socket.write(payload);
    });
    // Whatever the relay writes (a TLS alert) is read and dropped; its end, reset or close is what is timed.
    socket.on('data', () => undefined);
    socket.once('end', () => settle('closed (FIN)'));
    socket.once('close', () => connectedAt !== null && settle('closed'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (connectedAt === null) {
        socket.destroy();
        reject(new SetupFailure('connect', `a TCP connection to ${host}:${port}`, null, describeTransportError(error)));
      } else settle(`reset (${error.code ?? error.message})`);
    });
  });
}

async function silentConnectionsCase(context: CaseContext): Promise<void> {
  const { host, port } = endpointOf(context);
  const warp = context.time.warp;
  // The bound is on the relay's clock: under --time-warp K its timers run K times faster, so 60 s of it pass in 60/K real seconds.
  const limitRealMs = rob1WaitMs(warp);
  const hello = halfClientHello();
  context.note(`raw TCP to ${host}:${port}, outside the exchange log (a repro script cannot replay it): one connection sent nothing, one sent ${hello.length} bytes (a TLS record header announcing 512 bytes, then 38 of them); each was watched until the relay closed it, for at most ${seconds(limitRealMs)}`);
  const sockets: Socket[] = [];
  let watched: Watched[];
  try {
    watched = await Promise.all([
      watchClose(host, port, 'connection that sends nothing', null, limitRealMs, sockets),
      watchClose(host, port, 'connection that sends half a TLS ClientHello', hello, limitRealMs, sockets),
    ]);
  } finally {
    // One could not connect: the other is not left running to its bound.
    for (const socket of sockets) socket.destroy();
  }
  const onRelayClock = (ms: number) => (warp === 1 ? seconds(ms) : `${seconds(ms)} real (${seconds(ms * warp)} on the relay's clock at --time-warp ${warp})`);
  const limit = `${ROB1_CLOSE_LIMIT_MS / 1000} s`;
  const seen = watched.map((w) => `${w.what}: ${w.closedAfterMs === null ? `still open after ${limit}${warp === 1 ? '' : ` on the relay's clock (${seconds(limitRealMs)} real at --time-warp ${warp})`}` : `${w.how} after ${onRelayClock(w.closedAfterMs)}`}`);
  context.fact('ROB-1 silent connections', seen.join('; '));
  check(
    watched.every((w) => w.closedAfterMs !== null),
    `a TCP connection that sends nothing, and one that sends half a TLS ClientHello (a record header announcing 512 bytes, then 38 of them): each closed by the relay within ${limit}`,
    seen.join('; '),
  );
}

interface HonestAnswer {
  ms: number;
  status: number | null;
  error: string | null;
  /** The answer said `Connection: close`: the relay keeps no connection alive. */
  closes: boolean;
}

/**
 * The honest client: one keep-alive connection, opened and served before the
 * slow connections, then asked for health every ROB2_HONEST_INTERVAL_MS. It
 * never reconnects: a second connection would come from the slow connections'
 * address, where a per-address cap may refuse it by design.
 */
class HonestClient {
  readonly answers: HonestAnswer[] = [];
  connects = 0;
  lostAfterMs: number | null = null;
  private readonly client: Client;
  private readonly startedAt = performance.now();
  private running = false;
  /** Set once stop() closes the connection itself: that close is ours, not the relay's. */
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(origin: string, host: string) {
    this.client = new Client(origin, {
      // Health needs no trust in the relay's certificate, and the honest client needs no client certificate.
      connect: { rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) },
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    this.client.on('connect', () => (this.connects += 1));
    this.client.on('disconnect', () => {
      if (!this.stopped) this.lostAfterMs ??= Math.round(performance.now() - this.startedAt);
    });
  }

  get lost(): boolean {
    return this.lostAfterMs !== null;
  }

  async ask(): Promise<HonestAnswer> {
    const started = performance.now();
    try {
      const response = await this.client.request({ method: 'GET', path: PATHS.health, headers: { accept: 'application/json' } });
      await response.body.text();
      const closes = /(^|,)\s*close\s*(,|$)/i.test(String(response.headers.connection ?? ''));
      return { ms: Math.round(performance.now() - started), status: response.statusCode, error: null, closes };
    } catch (error) {
      return { ms: Math.round(performance.now() - started), status: null, error: describeTransportError(error), closes: false };
    }
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running && !this.lost) {
        const answer = await this.ask();
        this.answers.push(answer);
        if (answer.error !== null) return;
        await sleep(ROB2_HONEST_INTERVAL_MS);
      }
    })();
  }

  /** Stops asking; `lost` and `answers` keep what happened until now. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.stopped = true;
    await this.client.destroy().catch(() => undefined);
  }
}

interface Slow {
  socket: Socket;
  /** TLS established (TCP connected for a plain-HTTP target). */
  accepted: boolean;
  /** Closed before it was accepted. */
  refused: boolean;
  closed: boolean;
  sent: number;
}

/** The request the slow connections trickle, a byte at a time: a request line and headers whose end never comes. */
function slowRequest(host: string): Buffer {
  return Buffer.from(`GET ${PATHS.health} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\nX-Slow: ${'a'.repeat(4000)}`);
}

function openSlow(host: string, port: number, tls: boolean): Slow {
  const socket = tls ? tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) }) : tcpConnect({ host, port });
  const slow: Slow = { socket, accepted: false, refused: false, closed: false, sent: 0 };
  socket.once(tls ? 'secureConnect' : 'connect', () => (slow.accepted = true));
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  socket.once('close', () => {
    slow.closed = true;
    if (!slow.accepted) slow.refused = true;
  });
  return slow;
}

async function slowHeadersCase(context: CaseContext): Promise<void> {
  const { host, port, tls } = endpointOf(context);
  const origin = context.client.url.origin;
  const honest = new HonestClient(origin, host);
  const slow: Slow[] = [];
  const request = slowRequest(host);
  let trickle: NodeJS.Timeout | undefined;
  context.note(
    `raw ${tls ? 'TLS' : 'TCP'} to ${host}:${port}, outside the exchange log (a repro script cannot replay it): ${ROB2_SLOW_CONNECTIONS} connections from the suite's address, opened ${ROB2_BATCH} every ${ROB2_BATCH_INTERVAL_MS} ms, each sending ${JSON.stringify(request.subarray(0, 60).toString())}… one byte every ${ROB2_TRICKLE_INTERVAL_MS} ms, never finishing; meanwhile an honest client, on the keep-alive connection it opened and was served on first, asked GET ${PATHS.health} every ${ROB2_HONEST_INTERVAL_MS} ms`,
  );
  try {
    const warm = await honest.ask();
    const warmExpected = `GET ${PATHS.health} from the honest client, before any slow connection → HTTP 200`;
    if (warm.error !== null) throw new SetupFailure('health', warmExpected, null, warm.error);
    // A health that does not answer 200 is GEN-2's failure; ROB-2 was not reached.
    if (warm.status !== 200) fail(warmExpected, `HTTP ${warm.status}`, 'GEN-2');
    if (warm.closes) throw new CaseSkip(`the relay answered health with "Connection: close": it keeps no connection alive, and ROB-2 watches an honest client's kept-alive connection (a new one would come from the slow connections' address, which a per-address cap may refuse by design)`);
    honest.start();
    trickle = setInterval(() => {
      for (const s of slow) {
        if (!s.accepted || s.closed || s.sent >= request.length) continue;
        s.socket.write(request.subarray(s.sent, s.sent + 1));
        s.sent += 1;
      }
    }, ROB2_TRICKLE_INTERVAL_MS);
    const openedAt = performance.now();
    for (let i = 0; i < ROB2_SLOW_CONNECTIONS; i += ROB2_BATCH) {
      for (let j = i; j < Math.min(i + ROB2_BATCH, ROB2_SLOW_CONNECTIONS); j += 1) slow.push(openSlow(host, port, tls));
      await sleep(ROB2_BATCH_INTERVAL_MS);
    }
    while (slow.some((s) => !s.accepted && !s.refused) && performance.now() - openedAt < ROB2_OPEN_DEADLINE_MS) await sleep(20);
    await sleep(ROB2_MEASURE_MS);
  } finally {
    clearInterval(trickle);
    const heldAtEnd = slow.filter((s) => s.accepted && !s.closed).length;
    await honest.stop();
    await closeAll(slow);
    reportSlow(context, slow, heldAtEnd, honest);
  }
  judgeHonest(context, honest);
}

/** How long the relay gets to close its side of the slow connections once they are ended. */
const ROB2_CLOSE_WAIT_MS = 2000;

/**
 * Ends every slow connection and waits (bounded) for the relay to close its
 * side: the next case must not meet a relay still counting them (its
 * per-address cap would refuse that case's new connections). Whatever is
 * left is destroyed.
 */
async function closeAll(slow: Slow[]): Promise<void> {
  const open = slow.filter((s) => !s.closed);
  for (const s of open) s.socket.end();
  const deadline = performance.now() + ROB2_CLOSE_WAIT_MS;
  while (open.some((s) => !s.closed) && performance.now() < deadline) await sleep(20);
  for (const s of slow) s.socket.destroy();
  // The relay's bookkeeping of a close follows the FIN it sent by a tick or so.
  await sleep(50);
}

function reportSlow(context: CaseContext, slow: Slow[], heldAtEnd: number, honest: HonestClient): void {
  if (slow.length === 0) return;
  const accepted = slow.filter((s) => s.accepted).length;
  const refused = slow.filter((s) => s.refused).length;
  const during = honest.answers.filter((a) => a.status !== null);
  const slowest = Math.max(0, ...during.map((a) => a.ms));
  context.fact(
    'ROB-2 slow connections',
    `${slow.length} opened from the suite's address: ${accepted} accepted, ${refused} refused by the relay (a per-address cap may refuse them)${accepted + refused < slow.length ? `, ${slow.length - accepted - refused} neither within ${ROB2_OPEN_DEADLINE_MS / 1000} s` : ''}; ${heldAtEnd} still open at the end; the honest client's health answers meanwhile: slowest ${slowest} ms over ${during.length}`,
  );
}

function judgeHonest(context: CaseContext, honest: HonestClient): void {
  const during = honest.answers;
  const expected = `while ${ROB2_SLOW_CONNECTIONS} slow-header connections are open, the honest client's health requests on the connection it opened before them: each HTTP 200 within ${ROB2_ANSWER_LIMIT_MS} ms, the connection kept open`;
  const lost = honest.lost || honest.connects > 1;
  if (lost && context.time.warp > 1) {
    // Its keep-alive timer runs K times faster: an idle gap of 250 ms real is K × 250 ms on the relay's clock.
    throw new CaseSkip(`the relay closed the honest client's keep-alive connection, idle at most ${ROB2_HONEST_INTERVAL_MS} ms real between requests: under --time-warp ${context.time.warp} that is ${(ROB2_HONEST_INTERVAL_MS * context.time.warp) / 1000} s of its clock, possibly its keep-alive timeout; run ROB-2 without --time-warp`);
  }
  const failed = during.find((a) => a.error !== null || a.status !== 200 || a.ms > ROB2_ANSWER_LIMIT_MS);
  const actual = failed
    ? failed.error !== null
      ? `a health request got no answer after ${failed.ms} ms: ${failed.error}`
      : `a health request answered HTTP ${failed.status} in ${failed.ms} ms`
    : lost
      ? `the relay closed the honest client's connection ${honest.lostAfterMs ?? '?'} ms after it opened, while the slow connections were open`
      : `${during.length} health requests answered`;
  check(!failed && !lost && during.length > 0, expected, actual);
}

export default defineCases([
  {
    id: 'ROB-1/silent-connections-closed',
    requirements: ['ROB-1'],
    title: `a TCP connection that sends nothing, and one that stops halfway through its TLS ClientHello, are closed by the relay within ${ROB1_CLOSE_LIMIT_MS / 1000} s`,
    run: silentConnectionsCase,
  },
  {
    id: 'ROB-2/honest-client-served-during-slow-headers',
    requirements: ['ROB-2'],
    title: `an honest client's connection is still served within ${ROB2_ANSWER_LIMIT_MS} ms while ${ROB2_SLOW_CONNECTIONS} connections trickle their headers`,
    timing: 'alone',
    run: slowHeadersCase,
  },
]);
