/**
 * The peer's library API (reference/peer/api/) against the real reference
 * relay over HTTPS with client certificates, real Peer Servers and a real
 * friends file: what RemoteHouse's bridge and the CLI verbs stand on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPeerIdentity } from '../../reference/identity/identity-files.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { connectToPeer, lookupPeer, PeerFilesClient, queryRelayPeers, RelayCallError, RelayClient, runPeer, type AttemptReport, type FriendsEvent, type RunningPeer } from '../../reference/peer/api/index.ts';
import { readPage } from '../../reference/peer/api/relay-peers.ts';
import { startPeerServer, type RunningPeerServer } from '../../reference/peer/http/peer-server.ts';
import { tempDir } from './net-helpers.ts';

let relay: RunningRelay;
let dir: { path: string; remove(): Promise<void> };
let target: RunningPeer;
let watcher: RunningPeer;
let decoy: RunningPeerServer;
const clients: RelayClient[] = [];

beforeAll(async () => {
  dir = await tempDir('library-api');
  relay = await startRelay({ port: 0, ttlSeconds: 3600 });
  const opts = (email: string) => ({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: newPeerIdentity(email, Date.now(), 'ecdsa-p256'), root: dir.path, includeLoopback: true, renew: false, host: '127.0.0.1' });
  target = await runPeer({ ...opts('tess@api.test'), interfaces: () => [{ address: '127.0.0.3' }, { address: '127.0.0.1' }] });
  await target.live;
  decoy = await startPeerServer({ root: dir.path, email: 'dora@api.test', host: '127.0.0.3', port: target.port });
  watcher = await runPeer({ ...opts('walt@api.test'), interfaces: () => [{ address: '127.0.0.1' }], friends: { file: join(dir.path, 'friends.json'), statusDir: dir.path, healthIntervalMs: 60_000, attemptTimeoutMs: 1_000 } });
  await watcher.live;
  // Five more listed peers, so a filter has relay pages to walk.
  for (const name of ['amy', 'ben', 'cat', 'dan', 'eve']) {
    const client = new RelayClient({ relayUrl: relay.url, relayCaPem: relay.tlsCertificatePem, identity: newPeerIdentity(`${name}@other.test`, Date.now(), 'ecdsa-p256') });
    clients.push(client);
    expect((await client.register()).status).toBe(200);
    expect((await client.ready({ port: 1000, addresses: [`10.0.0.${clients.length}`] })).status).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await watcher?.close();
  await target?.close();
  await decoy?.close();
  await relay?.close();
  await dir?.remove();
});

describe('queryRelayPeers', () => {
  it('pages the list as the relay does, and a filter walks every relay page to find matches', async () => {
    const first = await queryRelayPeers(watcher.relayClient(), { limit: 2 });
    expect(first.peers.map((p) => p.email)).toEqual(['amy@other.test', 'ben@other.test']);
    expect(first.nextCursor).not.toBeNull();
    expect(first.peers[0]!.lastSeenMs).toBeGreaterThan(Date.now() - 60_000);
    // tess sorts last: the filter must walk all three 2-item relay pages to find her.
    const found = await queryRelayPeers(watcher.relayClient(), { filter: 'TESS', relayPageSize: 2 });
    expect(found.peers.map((p) => p.email)).toEqual(['tess@api.test']);
    expect(found).toMatchObject({ scanned: 6, nextCursor: null, skipped: 0 });
    // By address too; and a miss looks at everything and says how much.
    expect((await queryRelayPeers(watcher.relayClient(), { filter: '10.0.0.3', relayPageSize: 2 })).peers.map((p) => p.email)).toEqual(['cat@other.test']);
    expect(await queryRelayPeers(watcher.relayClient(), { filter: 'zzz', relayPageSize: 2, maxScan: 3 })).toMatchObject({ peers: [], scanned: 4 });
  });

  it('reads answers in foreign styles: a wrapped array, ISO times, extra fields, unusable items skipped and counted', () => {
    const page = readPage({ status: 200, body: { peers: [{ email: 'X@Y.test', port: 5, addresses: ['10.0.0.1', 7], last_seen: '2026-12-01T10:00:00Z', extra: true }, { email: 'broken' }] } });
    expect(page).toEqual({ peers: [{ email: 'x@y.test', port: 5, addresses: ['10.0.0.1'], lastSeenMs: Date.parse('2026-12-01T10:00:00Z') }], nextCursor: null, scanned: 2, skipped: 1 });
    expect(() => readPage({ status: 200, body: 'nope' })).toThrow(RelayCallError);
    expect(() => readPage({ status: 401, body: { error: 'no', code: 'unknown_certificate' } })).toThrow('the relay answered the list with HTTP 401 (unknown_certificate: no)');
  });

  it('says relay_unreachable when nobody answers, and refuses a limit the protocol does not allow', async () => {
    const lost = new RelayClient({ relayUrl: 'https://127.0.0.1:9', insecure: true, timeoutMs: 2_000 });
    await expect(queryRelayPeers(lost)).rejects.toMatchObject({ code: 'relay_unreachable' });
    await lost.close();
    // A pinned certificate that is not the relay's says that, not "pass --relay-ca".
    const wrongPin = new RelayClient({ relayUrl: relay.url, relayCaPem: newPeerIdentity('pin@api.test', Date.now(), 'ecdsa-p256').certificatePem, timeoutMs: 2_000 });
    await expect(queryRelayPeers(wrongPin)).rejects.toThrow(/the certificate given with --relay-ca is not this relay's/);
    await wrongPin.close();
    await expect(queryRelayPeers(watcher.relayClient(), { limit: 0 })).rejects.toThrow(RangeError);
  });
});

describe('connectToPeer and lookupPeer', () => {
  it('yields every attempt as it settles, the decoy first, and names the verified winner', async () => {
    const visit = connectToPeer(watcher.relay, 'TESS@api.test', { attemptTimeoutMs: 1_000 });
    const seen: AttemptReport[] = [];
    for await (const attempt of visit.attempts) seen.push(attempt);
    expect(seen.map((a) => [a.address, a.outcome, a.seenEmail])).toEqual([
      ['127.0.0.3', 'wrong_host', 'dora@api.test'],
      ['127.0.0.1', 'ok', 'tess@api.test'],
    ]);
    const outcome = await visit.result;
    expect(outcome).toMatchObject({ kind: 'connected', origin: `http://127.0.0.1:${target.port}`, verifiedEmail: 'tess@api.test' });
    if (outcome.kind !== 'connected') return;
    expect(await new PeerFilesClient(outcome.origin).health()).toEqual({ email: 'tess@api.test' });
  });

  it('works over a RelayClient too, says not_found for nobody, and stops at once when aborted', async () => {
    expect(await lookupPeer(watcher.relayClient(), 'tess@api.test')).toMatchObject({ kind: 'found', port: target.port });
    expect(await connectToPeer(watcher.relayClient(), 'nobody@api.test').result).toEqual({ kind: 'not_found' });
    const abort = new AbortController();
    abort.abort();
    expect(await connectToPeer(watcher.relay, 'tess@api.test', { signal: abort.signal }).result).toMatchObject({ kind: 'error', code: 'cancelled' });
  });
});

describe('FriendsList', () => {
  it('adds to the file and checks at once, emits events, removes from both', async () => {
    const list = watcher.friendsList!;
    const events: FriendsEvent[] = [];
    const off = list.subscribe((e) => events.push(e));
    await list.add('Tess@api.test');
    expect(JSON.parse(await readFile(join(dir.path, 'friends.json'), 'utf8')).friends.map((f: { email: string }) => f.email)).toEqual(['tess@api.test']);
    const deadline = Date.now() + 5_000;
    while (list.snapshot()[0]?.status !== 'online' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(list.snapshot()[0]).toMatchObject({ email: 'tess@api.test', status: 'online', lastGood: { address: '127.0.0.1', port: target.port } });
    expect(events.filter((e) => e.type === 'status_changed').map((e) => e.type === 'status_changed' && e.to)).toEqual(['checking', 'online']);
    expect(await list.remove('tess@api.test')).toBe(true);
    expect(await list.remove('tess@api.test')).toBe(false);
    expect(list.snapshot()).toEqual([]);
    expect(JSON.parse(await readFile(join(dir.path, 'friends.json'), 'utf8')).friends).toEqual([]);
    off();
  });
});
