/**
 * The peer lifecycle against the real reference relay over HTTPS with real
 * client certificates, and real Peer Servers. Loopback only: interfaces are
 * injected so nothing is announced or dialled off this machine.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newPeerIdentity, type Identity } from '../../reference/identity/identity-files.ts';
import { OffsetClock } from '../../reference/shared/clock.ts';
import { systemClock } from '../../reference/shared/system-clock.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { relayPortOver } from '../../reference/peer/http/relay-port.ts';
import { runPeer, PeerFatalError, type RunningPeer, type RunPeerOptions } from '../../reference/peer/http/run-peer.ts';
import { connectToPeer, type ConnectOptions } from '../../reference/peer/api/connect-to-peer.ts';
import type { RelayPort } from '../../reference/peer/core/ports.ts';

import { blackholeDialer } from '../../reference/peer/http/blackhole-dialer.ts';
import { httpDialer } from '../../reference/peer/http/http-dialer.ts';
import { downloadPeerFile, listPeerFolder } from '../../reference/peer/http/peer-files-client.ts';
import { freePort, rawGet, tempDir } from './net-helpers.ts';

/** The library API with the old findPeer's argument shape, for these tests. */
const findPeer = (o: ConnectOptions & { relay: RelayPort; targetEmail: string }) => connectToPeer(o.relay, o.targetEmail, o).result;

const LOOPBACK = () => [{ address: '127.0.0.1' }, { address: '::1' }];
let relayClock: OffsetClock;
let relay: RunningRelay;
let dir: { path: string; remove(): Promise<void> };
const peers: RunningPeer[] = [];
const clients: RelayClient[] = [];
const identities = new Map<string, Identity>();

function identity(email: string): Identity {
  const existing = identities.get(email);
  if (existing) return existing;
  const made = newPeerIdentity(email, Date.now(), 'ecdsa-p256');
  identities.set(email, made);
  return made;
}

async function peer(email: string, extra: Partial<RunPeerOptions> = {}, lines: string[] = []): Promise<RunningPeer> {
  const running = await runPeer({
    relayUrl: relay.url,
    relayCaPem: relay.tlsCertificatePem,
    identity: identity(email),
    root: dir.path,
    includeLoopback: true,
    interfaces: LOOPBACK,
    log: (line) => lines.push(line),
    ...extra,
  });
  peers.push(running);
  return running;
}

/** A registered, ready observer that can look others up. */
async function observer(email: string): Promise<RelayClient> {
  const client = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: identity(email) });
  clients.push(client);
  expect((await client.register()).status).toBe(200);
  return client;
}

const waitFor = async (what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

beforeAll(async () => {
  dir = await tempDir('peer-relay');
  await writeFile(join(dir.path, 'hello.txt'), 'hello from alice\n');
  relayClock = new OffsetClock(systemClock);
  relay = await startRelay({ port: 0, clock: relayClock, ttlSeconds: 3600 });
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await relay?.close();
  await dir?.remove();
});

describe('peer lifecycle against the reference relay', () => {
  it('steps 2-5: registers, serves on all interfaces, announces loopback addresses in order, and is found', async () => {
    const lines: string[] = [];
    const alice = await peer('alice@example.com', {}, lines);
    const live = await alice.live;
    expect(live).toEqual({ port: alice.port, addresses: ['127.0.0.1', '::1'] });
    expect(lines.filter((l) => !l.startsWith('renewal')).at(0)).toBe('registered with the relay');
    // Bound to every interface: reachable over IPv4 and IPv6 loopback on one port.
    expect(JSON.parse((await rawGet(alice.port, '/api/health')).body.toString())).toEqual({ status: 'ok', email: 'alice@example.com' });
    expect((await rawGet(alice.port, '/api/health', {}, '::1')).status).toBe(200);
    const bob = await observer('bob@example.com');
    const found = await bob.lookup('alice@example.com');
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ email: 'alice@example.com', status: 'online', port: alice.port, addresses: ['127.0.0.1', '::1'] });
    // With IPv4 blackholed, the IPv6 address wins: the dialer speaks IPv6 too.
    const viaV6 = await findPeer({ relay: relayPortOver(bob), targetEmail: 'alice@example.com', strategy: 'race', attemptTimeoutMs: 1_000, dialer: blackholeDialer(httpDialer, new Set(['127.0.0.1'])) });
    expect(viaV6.kind === 'connected' && viaV6.origin).toBe(`http://[::1]:${alice.port}`);
  });

  it('step 2: a restart with the same certificate gets 409 on register and goes live', async () => {
    const first = await peer('carol@example.com');
    await first.live;
    await first.close();
    const lines: string[] = [];
    const second = await peer('carol@example.com', {}, lines);
    await second.live;
    expect(lines.filter((l) => !l.startsWith('renewal')).at(0)).toMatch(/already registered at the relay \(409\)/);
  });

  it('step 2: 409 then 401 (another key holds the email) is fatal with a clear code', async () => {
    await (await peer('dave@example.com')).live;
    const impostor = newPeerIdentity('dave@example.com', Date.now(), 'ecdsa-p256');
    const running = await runPeer({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: impostor, root: dir.path, includeLoopback: true, interfaces: LOOPBACK });
    peers.push(running);
    const error = await running.live.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PeerFatalError);
    expect(error).toMatchObject({ code: 'email_held_by_another_identity' });
    expect((error as Error).message).toMatch(/dave@example.com is registered at this relay with another certificate/);
  });

  it('step 6: heartbeats keep the broadcast; after expiry a heartbeat gets 404 and ready is sent again', async () => {
    const lines: string[] = [];
    // No timer-driven heartbeat can land mid-test (the first would come after 30 min): each is triggered explicitly.
    const erin = await peer('erin@example.com', { heartbeatIntervalMs: 3_600_000 }, lines);
    await erin.live;
    erin.lifecycle.heartbeatNow();
    await waitFor('a heartbeat', () => lines.some((l) => l.startsWith('heartbeat ok')));
    const bob = await observer('bob2@example.com');
    relayClock.advanceMs(3_601_000); // past the TTL: the broadcast is gone
    expect((await bob.lookup('erin@example.com')).status).toBe(404);
    erin.lifecycle.heartbeatNow();
    await waitFor('the re-ready', () => lines.some((l) => l.startsWith('ready (heartbeat 404)')));
    expect(lines).toContain('heartbeat got 404: our broadcast expired; sending ready again');
    expect((await bob.lookup('erin@example.com')).status).toBe(200);
  });

  it('step 6: a changed address set is announced again', async () => {
    let addresses = [{ address: '127.0.0.1' }];
    const lines: string[] = [];
    const fay = await peer('fay@example.com', { interfaces: () => addresses, addressCheckIntervalMs: 100 }, lines);
    await fay.live;
    addresses = [{ address: '127.0.0.2' }, { address: '127.0.0.1' }];
    await waitFor('the re-ready', () => lines.some((l) => l.startsWith('ready (addresses changed)')));
    const bob = await observer('bob3@example.com');
    expect((await bob.lookup('fay@example.com')).body).toMatchObject({ addresses: ['127.0.0.2', '127.0.0.1'] });
  });

  it('steps 4-7: B looks A up, skips a blackholed first address (both strategies), lists and downloads', async () => {
    const gus = await peer('gus@example.com', { interfaces: () => [{ address: '127.0.0.9' }, { address: '127.0.0.1' }] });
    await gus.live;
    const bob = await observer('bob4@example.com');
    for (const strategy of ['sequential', 'race'] as const) {
      const outcome = await findPeer({ relay: relayPortOver(bob), targetEmail: 'gus@example.com', strategy, attemptTimeoutMs: strategy === 'sequential' ? 700 : 3_000, dialer: blackholeDialer(httpDialer, new Set(['127.0.0.9'])) });
      expect(outcome.kind, strategy).toBe('connected');
      if (outcome.kind !== 'connected') continue;
      expect(outcome.tries.attempts.map((a) => `${a.address}:${a.outcome}`)).toEqual(strategy === 'sequential' ? ['127.0.0.9:timeout', '127.0.0.1:ok'] : ['127.0.0.9:cancelled', '127.0.0.1:ok']);
      expect(outcome.origin).toBe(`http://127.0.0.1:${gus.port}`);
    }
    const outcome = await findPeer({ relay: relayPortOver(bob), targetEmail: 'gus@example.com' });
    if (outcome.kind !== 'connected') throw new Error(outcome.kind);
    expect((await listPeerFolder(outcome.origin)).entries.map((e) => e.name)).toContain('hello.txt');
    const out = join(dir.path, 'downloaded.txt');
    const got = await downloadPeerFile(outcome.origin, 'hello.txt', out);
    expect(got.bytes).toBe('hello from alice\n'.length);
    expect(await findPeer({ relay: relayPortOver(bob), targetEmail: 'nobody@example.com' })).toEqual({ kind: 'not_found' });
  });

  it('survives the relay going away: retries while it is down, registers again after a memory-store restart', async () => {
    const dataDir = join(dir.path, 'restarting-relay');
    const port = await freePort();
    let second = await startRelay({ port, dataDir });
    const caPem = second.tlsCertificatePem;
    const lines: string[] = [];
    const hal = await runPeer({
      relayUrl: second.url,
      relayCaPem: caPem,
      identity: identity('hal@example.com'),
      root: dir.path,
      includeLoopback: true,
      interfaces: LOOPBACK,
      heartbeatIntervalMs: 300,
      retryDelayMs: 200,
      relayTimeoutMs: 2_000,
      log: (line) => lines.push(line),
    });
    peers.push(hal);
    await hal.live;
    await second.close();
    await waitFor('relay trouble', () => lines.some((l) => l.startsWith('relay trouble during heartbeat')));
    // Same port, same TLS pair, but a fresh memory store: it no longer knows hal.
    second = await startRelay({ port, dataDir });
    try {
      await waitFor('registration again', () => lines.filter((l) => l === 'registered with the relay').length === 2);
      await waitFor('ready again', () => lines.filter((l) => l.startsWith('ready (startup)')).length === 2);
      const client = new RelayClient({ relayUrl: second.url, relayCaPem: caPem, identity: identity('ivy@example.com') });
      clients.push(client);
      await client.register();
      expect((await client.lookup('hal@example.com')).body).toMatchObject({ port: hal.port });
    } finally {
      await hal.close();
      await second.close();
    }
  });
});
