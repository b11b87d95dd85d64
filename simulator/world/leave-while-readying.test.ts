/**
 * A graceful leave that comes while a ready is in flight waits for it
 * before saying goodbye (the reference lifecycle's leave(), SPEC EXT-2), so
 * the relay can accept a ready after the peer departed, even after the
 * World has retired it into its DepartedPeer. The truth must follow: the
 * relay lists the peer again until the goodbye, a departed peer has no
 * expiry gap to close, and the write lands on the peer the World keeps.
 *
 * The case is made common on purpose: every peer's listing expires in a
 * heartbeat blackout, so every survivor re-readies at once after it, over
 * 10 s links (a relay call is 6 one-way trips: a minute in flight, the
 * request timeout raised to 2 min to let it), while 100 % of peers leave
 * per hour.
 */
import { describe, expect, it } from 'vitest';
import type { ExpiryGap } from '../measure/measurements.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { DepartedPeer } from './virtual-peer.ts';
import type { VirtualRelay } from './virtual-relay.ts';
import { World } from './world.ts';

const TTL_MS = 10 * 60_000;

const SCENARIO = `name: leave-while-readying
seed: 3
peers: 800
duration: 40m
join_spread: 0s
link: { latency: 10s, jitter: 0ms, loss: 0 }
topology:
  - kind: public
    share: 100%
protocol: { heartbeat_interval: 5m, ttl: 10m, request_timeout: 2m }
traffic: { lookups_per_peer_per_hour: 0 }
churn: { leaves_per_hour: 100% }
faults:
  heartbeat_blackouts: [ { at: 2m, duration: 10m } ]
relay:
  extensions: [goodbye]
`;

describe('a peer that leaves while its ready is in flight (goodbye on)', () => {
  it('is listed again from that ready until its goodbye, probed at the boundary it set, with no expiry gap after its departure', async () => {
    const world = new World(parseScenario('inline.yaml', SCENARIO));
    const gaps: ExpiryGap[] = [];
    const record = world.measurements.recordExpiryGap.bind(world.measurements);
    world.measurements.recordExpiryGap = (gap) => {
      gaps.push(gap);
      record(gap);
    };
    // Which peers the truth's boundary probes looked up, and when (observed on the World's relay, not changed).
    const relay = (world as unknown as { relay: VirtualRelay }).relay;
    const probeLookup = relay.probeLookup.bind(relay);
    const probedAtMs = new Map<string, number[]>();
    relay.probeLookup = (email) => {
      probedAtMs.set(email, [...(probedAtMs.get(email) ?? []), world.sim.clock.elapsedMs()]);
      return probeLookup(email);
    };
    await world.run();
    world.finishTruth(world.sim.clock.elapsedMs());
    const departed = world.peers.filter((peer) => peer !== undefined && !peer.alive) as DepartedPeer[];
    // The case under test happened: the relay accepted a ready after the peer had departed.
    const late = departed.filter((peer) => peer.lastRefreshAtMs > peer.diedAtMs);
    expect(late.length).toBeGreaterThan(10);
    for (const peer of departed) expect(peer).toBeInstanceOf(DepartedPeer);
    for (const peer of late) {
      // Its goodbye followed the ready, so the relay ended the listing when it accepted that goodbye, after the ready.
      expect(peer.goodbyeAtMs).toBeGreaterThan(peer.lastRefreshAtMs);
      expect(peer.listedUntilMs).toBe(peer.goodbyeAtMs);
      // The visibility rule is probed at the boundary that ready set: gone 1 ms before it (the goodbye came first) and at it.
      const boundaryMs = peer.lastRefreshAtMs + TTL_MS;
      expect(probedAtMs.get(peer.identity.email)).toEqual(expect.arrayContaining([boundaryMs - 1, boundaryMs]));
    }
    expect(world.measurements.counters.visibilityViolations).toBe(0);
    // Gaps are windows of a live peer: none ends after its peer departed, and a peer's gaps never overlap.
    const byEmail = new Map(departed.map((peer) => [peer.identity.email, peer]));
    const seen = new Map<string, ExpiryGap[]>();
    for (const gap of gaps) {
      const peer = byEmail.get(gap.peer);
      if (peer !== undefined) expect(gap.to_ms).toBeLessThanOrEqual(peer.diedAtMs + 0.0005); // to_ms is rounded to 1 µs
      for (const other of seen.get(gap.peer) ?? []) expect(gap.from_ms >= other.to_ms || gap.to_ms <= other.from_ms).toBe(true);
      seen.set(gap.peer, [...(seen.get(gap.peer) ?? []), gap]);
    }
    expect(gaps.length).toBeGreaterThan(100);
  });
});
