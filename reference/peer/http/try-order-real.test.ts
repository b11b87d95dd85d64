/**
 * The pure try-order over real sockets: real Peer Servers on loopback
 * addresses sharing one port, a silent TCP server, a refusing address, and
 * the blackhole dialer. Wall-clock timers, short timeouts.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/system-clock.ts';
import { systemTimers } from '../../shared/system-timers.ts';
import { startTryOrder, type TryOrderResult, type TryStrategy } from '../core/try-order.ts';
import type { Dialer } from '../core/ports.ts';
import { blackholeDialer } from './blackhole-dialer.ts';
import { httpDialer } from './http-dialer.ts';
import { startPeerServer, type RunningPeerServer } from './peer-server.ts';
import { startSilentServer, tempDir } from '../../../test/peer/net-helpers.ts';

const ALICE = 'alice@example.com';
let dir: { path: string; remove(): Promise<void> };
let alice: RunningPeerServer;
let impostor: RunningPeerServer;
let silent: { port: number; close(): Promise<void> };

beforeAll(async () => {
  dir = await tempDir('try-real');
  alice = await startPeerServer({ root: dir.path, email: ALICE, host: '127.0.0.1' });
  // Same port on other loopback addresses: the shape of one announcement.
  impostor = await startPeerServer({ root: dir.path, email: 'mallory@example.com', host: '127.0.0.5', port: alice.port });
  silent = await startSilentServer('127.0.0.3', alice.port);
});

afterAll(async () => {
  await Promise.all([alice?.close(), impostor?.close(), silent?.close()]);
  await dir?.remove();
});

function tryOrder(addresses: string[], strategy: TryStrategy, dialer: Dialer = httpDialer, port = alice.port, attemptTimeoutMs = 800): Promise<TryOrderResult> {
  return new Promise((resolve) => {
    startTryOrder({ targetEmail: ALICE, port, addresses, strategy, attemptTimeoutMs }, { clock: systemClock, timers: systemTimers(), dialer }, { onDone: resolve });
  });
}

const outcomes = (r: TryOrderResult) => r.attempts.map((a) => `${a.address}:${a.outcome}`);

describe('http dialer', () => {
  it('maps ok, wrong host, refused and silent to the core outcome kinds', async () => {
    const dial = (address: string, port: number) => new Promise((resolve) => httpDialer.dial(address, port, ALICE, 500, resolve));
    expect(await dial('127.0.0.1', alice.port)).toEqual({ kind: 'ok', email: ALICE });
    expect(await dial('127.0.0.5', alice.port)).toEqual({ kind: 'wrong_host', email: 'mallory@example.com' });
    expect(await dial('127.0.0.4', alice.port)).toMatchObject({ kind: 'refused', detail: 'ECONNREFUSED' });
    expect(await dial('127.0.0.3', silent.port)).toMatchObject({ kind: 'timeout' });
  });

  it('calls an HTTP server that is not a healthy peer an http_error', async () => {
    const answers = ['HTTP/1.1 500 Oops', 'HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<html>not json'];
    for (const head of answers) {
      // resume(): read the request so the client's close is seen and server.close() can finish.
      const server = createServer((socket) => socket.resume().end(`${head}\r\nconnection: close\r\n\r\n`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const outcome = await new Promise((resolve) => httpDialer.dial('127.0.0.1', port, ALICE, 500, resolve));
      expect(outcome, head).toMatchObject({ kind: 'http_error' });
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('never calls back after cancel', async () => {
    let called = false;
    const handle = httpDialer.dial('127.0.0.3', silent.port, ALICE, 200, () => (called = true));
    handle.cancel();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(called).toBe(false);
  });
});

describe.each<TryStrategy>(['sequential', 'race'])('try-order over real sockets (%s)', (strategy) => {
  it('gets past a blackholed first address and a refusing one to the real peer', async () => {
    // Race gets a long timeout: it must win long before it, however loaded the machine.
    const timeoutMs = strategy === 'sequential' ? 800 : 3_000;
    const result = await tryOrder(['127.0.0.9', '127.0.0.4', '127.0.0.1'], strategy, blackholeDialer(httpDialer, new Set(['127.0.0.9'])), alice.port, timeoutMs);
    expect(result.winner?.address).toBe('127.0.0.1');
    if (strategy === 'sequential') {
      expect(outcomes(result)).toEqual(['127.0.0.9:timeout', '127.0.0.4:refused', '127.0.0.1:ok']);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(790);
    } else {
      // Race: 127.0.0.4 starts after 250 ms, is refused at once, and 127.0.0.1 follows straight away.
      expect(outcomes(result)).toEqual(['127.0.0.9:cancelled', '127.0.0.4:refused', '127.0.0.1:ok']);
      expect(result.elapsedMs).toBeLessThan(2_000);
    }
  });

  it('gets past a silent TCP server (accepts, never answers)', async () => {
    const result = await tryOrder(['127.0.0.3', '127.0.0.1'], strategy, httpDialer, alice.port, strategy === 'sequential' ? 600 : 3_000);
    expect(result.winner?.address).toBe('127.0.0.1');
    expect(outcomes(result)).toEqual(strategy === 'sequential' ? ['127.0.0.3:timeout', '127.0.0.1:ok'] : ['127.0.0.3:cancelled', '127.0.0.1:ok']);
    expect(result.attempts[1]?.startedAtMs! - result.startedAtMs).toBeGreaterThanOrEqual(strategy === 'sequential' ? 590 : 240);
  });

  it('reports no winner when nothing answers as the target', async () => {
    const result = await tryOrder(['127.0.0.5', '127.0.0.4'], strategy);
    expect(result.winner).toBeNull();
    expect(outcomes(result)).toEqual(['127.0.0.5:wrong_host', '127.0.0.4:refused']);
  });

  it('skips the impostor that answers with another email', async () => {
    const result = await tryOrder(['127.0.0.5', '127.0.0.1'], strategy);
    expect(result.winner?.address).toBe('127.0.0.1');
    expect(result.attempts[0]).toMatchObject({ outcome: 'wrong_host', seenEmail: 'mallory@example.com' });
  });
});
