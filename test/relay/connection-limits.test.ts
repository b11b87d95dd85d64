/**
 * Connections that hold a file descriptor without doing any work: idle
 * TCP, half a ClientHello, more connections than the relay can hold. A
 * real relay on port 0; clients from several 127.0.0.0/8 addresses.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import type { Socket } from 'node:net';
import { startRelayFixture, type RelayFixture } from '../support/relay-fixture.ts';
import { closedWithin, HALF_CLIENT_HELLO, tcpConnect, until } from './raw-tls.ts';

const sockets: Socket[] = [];
const fixtures: RelayFixture[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

async function relay(options: Parameters<typeof startRelayFixture>[0]): Promise<RelayFixture> {
  const f = await startRelayFixture(options);
  fixtures.push(f);
  return f;
}

async function open(port: number, count: number, localAddress = '127.0.0.1', first?: Buffer): Promise<Socket[]> {
  const opened = await Promise.all(Array.from({ length: count }, () => tcpConnect(port, localAddress)));
  for (const socket of opened) {
    socket.on('error', () => undefined);
    if (first) socket.write(first);
  }
  sockets.push(...opened);
  return opened;
}

/** The server's own count of open connections (node:net), handshaking or not. */
function connections(f: RelayFixture): Promise<number> {
  return new Promise((resolve, reject) => f.relay.serving.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  return { logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }), lines };
}

describe('connections that never finish the TLS handshake', () => {
  it('are closed by the relay once the handshake timeout passes: idle TCP and half a ClientHello alike', async () => {
    const f = await relay({ handshakeTimeoutMs: 1_000 });
    const idle = await open(f.relay.port, 20);
    const partial = await open(f.relay.port, 5, '127.0.0.1', HALF_CLIENT_HELLO);
    await until(async () => (await connections(f)) === 25, 10_000, 'relay holding the 25 connections');
    // Generous bound: the requirement is "closed", the timeout is 1 s.
    const closed = await Promise.all([...idle, ...partial].map((s) => closedWithin(s, 20_000)));
    expect(closed.filter(Boolean)).toHaveLength(25);
    await until(async () => (await connections(f)) === 0, 10_000, 'relay releasing every connection');
    // And honest clients are served as before.
    expect(await f.raw('GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});

describe('connection caps', () => {
  it('refuses connections past the per-address cap at once, logs it once with a count, and still serves other addresses', async () => {
    const { logger, lines } = capturingLogger();
    const f = await relay({ maxConnectionsPerAddress: 5, handshakeTimeoutMs: 120_000, logger });
    const held = await open(f.relay.port, 5, '127.0.0.2');
    await until(async () => (await connections(f)) === 5, 10_000, 'relay holding the 5 connections');
    const extra = await open(f.relay.port, 10, '127.0.0.2');
    expect((await Promise.all(extra.map((s) => closedWithin(s, 15_000)))).every(Boolean)).toBe(true);
    // Those under the cap are untouched.
    expect(held.some((s) => s.destroyed)).toBe(false);
    await until(async () => (await connections(f)) === 5, 10_000, 'the relay back to the 5 connections under the cap');
    // An honest client from another address is served while 127.0.0.2 is at its cap.
    expect(await f.raw('GET', '/api/health', { localAddress: '127.0.0.1' })).toMatchObject({ status: 200 });
    const peer = f.identity();
    expect((await f.client(peer).register()).status).toBe(200);

    const refusals = lines.filter((l) => /refused a connection from 127\.0\.0\.2/.test(l.msg));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 40, remote: '127.0.0.2', cap: 5, msg: expect.stringContaining('--max-connections-per-address') });
    await f.close();
    fixtures.splice(fixtures.indexOf(f), 1);
    const all = lines.filter((l) => /refused a connection from 127\.0\.0\.2/.test(l.msg));
    expect(all.length).toBeLessThanOrEqual(3);
    expect(all.reduce((sum, l) => sum + (l.suppressed ?? 1), 0)).toBe(10);
  });

  it('does not count idle keep-alive connections toward the per-address cap, and at the total cap closes one of them rather than refuse', async () => {
    const f = await relay({ maxConnectionsPerAddress: 2, maxConnections: 4, handshakeTimeoutMs: 120_000 });
    const agent = () => new Agent({ connect: { ca: f.relay.tlsCertificatePem }, localAddress: '127.0.0.3' });
    const agents = [agent(), agent(), agent()];
    try {
      // Three keep-alive connections from one address that served a request and now wait: over the per-address cap of 2, all fine.
      for (const a of agents) {
        const answer = await request(new URL('/api/health', f.relay.url), { dispatcher: a });
        await answer.body.text();
        expect(answer.statusCode).toBe(200);
      }
      await until(async () => (await connections(f)) === 3, 10_000, 'three idle keep-alive connections');
      // Two connections stuck in their handshake fill 127.0.0.3's cap: the next from it is refused...
      const stuck = await open(f.relay.port, 2, '127.0.0.3', HALF_CLIENT_HELLO);
      const [refused] = await open(f.relay.port, 1, '127.0.0.3');
      expect(await closedWithin(refused as Socket, 15_000)).toBe(true);
      // ...and the total cap of 4 was reached by closing an idle keep-alive connection, not a busy one.
      await until(async () => (await connections(f)) === 4, 10_000, 'the relay at its total cap');
      expect(stuck.some((s) => s.destroyed)).toBe(false);
      // An honest client from another address still gets in: another idle one makes room.
      expect(await f.raw('GET', '/api/health', { localAddress: '127.0.0.1' })).toMatchObject({ status: 200 });
      expect(stuck.some((s) => s.destroyed)).toBe(false);
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  });

  it('refuses connections past the total cap, whatever their address, and logs it', async () => {
    const { logger, lines } = capturingLogger();
    const f = await relay({ maxConnections: 8, handshakeTimeoutMs: 120_000, logger });
    await open(f.relay.port, 4, '127.0.0.4');
    await open(f.relay.port, 4, '127.0.0.5');
    await until(async () => (await connections(f)) === 8, 10_000, 'relay holding 8 connections');
    const [refused] = await open(f.relay.port, 1, '127.0.0.6');
    expect(await closedWithin(refused as Socket, 15_000)).toBe(true);
    await until(async () => (await connections(f)) === 8, 10_000, 'the relay back to 8 connections');
    expect(lines).toEqual([expect.objectContaining({ level: 40, cap: 8, msg: expect.stringMatching(/refused a connection: 8 connections are open \(--max-connections\)/) })]);
  });
});

describe('shutdown with connections that never send anything', () => {
  it('close() completes at the end of the grace and leaves no connection open', async () => {
    const f = await startRelayFixture({ handshakeTimeoutMs: 120_000, shutdownGraceMs: 500 });
    const idle = await open(f.relay.port, 10);
    await until(async () => (await connections(f)) === 10, 10_000, 'relay holding 10 connections');
    let done = false;
    const closing = f.close().then(() => (done = true));
    await until(() => done, 20_000, 'close() to complete');
    await closing;
    expect((await Promise.all(idle.map((s) => closedWithin(s, 10_000)))).every(Boolean)).toBe(true);
  });
});
