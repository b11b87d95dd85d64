/**
 * The friends monitor (SPEC of the seed's Phase 3) with everything real but
 * time: the reference relay over HTTPS, real Peer Servers and the HTTP
 * dialer on loopback, and a ManualClock with ManualTimers, so each health
 * interval passes when the test says so. Status transitions, and the
 * cached socket tried before any relay lookup, are checked on the wire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { FriendsMonitor, type FriendsEvent } from '../../reference/peer/core/friends-monitor.ts';
import type { Dialer } from '../../reference/peer/core/ports.ts';
import { httpDialer } from '../../reference/peer/http/http-dialer.ts';
import { startPeerServer, type RunningPeerServer } from '../../reference/peer/http/peer-server.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { relayPortOver } from '../../reference/peer/http/relay-port.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { manualRuntime } from '../../reference/shared/manual-timers.ts';

const HEALTH_INTERVAL_MS = 60_000;
const FRIEND = 'fran@friends-real.test';

let relay: RunningRelay;
let root: string;
const clients: RelayClient[] = [];
beforeAll(async () => {
  relay = await startRelay({ port: 0, ttlSeconds: 600 });
  root = mkdtempSync(join(tmpdir(), 'friends-real-'));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await relay?.close();
  rmSync(root, { recursive: true, force: true });
});

function client(email: string): RelayClient {
  const made = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: newPeerIdentity(email, Date.now(), 'ecdsa-p256') });
  clients.push(made);
  return made;
}

/** The friend comes online: a Peer Server, then ready with its address. */
async function friendOnline(friend: RelayClient): Promise<RunningPeerServer> {
  const server = await startPeerServer({ root, email: FRIEND, host: '127.0.0.1' });
  expect((await friend.ready({ port: server.port, addresses: ['127.0.0.1'] })).status).toBe(200);
  return server;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FriendsMonitor against the real relay and real Peer Servers, on an injected clock', () => {
  it('goes online, offline when the friend stops, online again at its new port; the cached socket is dialled first', async () => {
    const friend = client(FRIEND);
    expect((await friend.register()).status).toBe(200);
    const watcher = client('walt@friends-real.test');
    expect((await watcher.register()).status).toBe(200);
    let server = await friendOnline(friend);

    const { clock, timers } = manualRuntime(Date.now());
    const dials: string[] = [];
    const loggingDialer: Dialer = { dial: (address, port, email, timeoutMs, onOutcome) => (dials.push(`${address}:${port}`), httpDialer.dial(address, port, email, timeoutMs, onOutcome)) };
    const transitions: string[] = [];
    const monitor = new FriendsMonitor(
      { friends: [{ email: FRIEND, lastGood: null }], healthIntervalMs: HEALTH_INTERVAL_MS, attemptTimeoutMs: 5_000, strategy: 'sequential' },
      { clock, timers, dialer: loggingDialer, relay: relayPortOver(watcher), onEvent: (e: FriendsEvent) => void (e.type === 'status_changed' && transitions.push(`${e.from}->${e.to}`)) },
    );
    const status = (): string | undefined => monitor.statusOf(FRIEND);
    try {
      monitor.start();
      await until(() => status() === 'online', 'online after a relay lookup');
      expect(dials).toEqual([`127.0.0.1:${server.port}`]);
      const firstPort = server.port;

      // The friend's Peer Server goes away. Nothing is checked until the health interval passes on our clock.
      await server.close();
      clock.advanceMs(HEALTH_INTERVAL_MS - 1);
      timers.runDue();
      expect(status()).toBe('online');
      timers.advanceMs(1);
      await until(() => status() === 'offline', 'offline after the next health check');
      // The cached socket was dialled first; the relay still announces that same socket, which is not dialled twice.
      expect(dials).toEqual([`127.0.0.1:${firstPort}`, `127.0.0.1:${firstPort}`]);

      // Back, on another port: the cached socket fails, the relay lookup finds the new one.
      server = await friendOnline(friend);
      timers.advanceMs(HEALTH_INTERVAL_MS);
      await until(() => status() === 'online', 'online again at the new port');
      expect(dials.slice(2)).toEqual([`127.0.0.1:${firstPort}`, `127.0.0.1:${server.port}`]);
      expect(transitions).toEqual(['unknown->checking', 'checking->online', 'online->checking', 'checking->offline', 'offline->checking', 'checking->online']);
    } finally {
      monitor.stop();
      await server.close();
    }
  }, 30_000);
});
