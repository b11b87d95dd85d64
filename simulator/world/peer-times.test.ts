import { describe, expect, it } from 'vitest';
import { nextInt, SeededRng } from '../../reference/shared/rng.ts';
import { ADDRESSES_SINCE, DIED, GOODBYE, JOINED, LISTED_UNTIL, PeerTimes } from './peer-times.ts';
import { simIdentity } from './sim-certificates.ts';
import { SimPeer } from './virtual-peer.ts';
import type { Placement } from './topology-builder.ts';
import type { Clock } from '../../reference/shared/clock.ts';

const FIELDS = [JOINED, DIED, GOODBYE, LISTED_UNTIL, ADDRESSES_SINCE];

describe('PeerTimes', () => {
  it('keeps each peer\'s times apart from its neighbours\', across page edges, as a Map would', () => {
    const rng = new SeededRng(3);
    const times = new PeerTimes();
    const model = new Map<string, number>();
    const peers = [0, 1, 4095, 4096, 4097, 8191, 8192, 20_000];
    for (const peer of peers) times.add(peer);
    for (const peer of peers) for (const field of FIELDS) expect(times.get(peer, field)).toBeNaN();
    for (let i = 0; i < 5_000; i++) {
      const peer = peers[nextInt(rng, peers.length)] as number;
      const field = FIELDS[nextInt(rng, FIELDS.length)] as number;
      const valueMs = nextInt(rng, 1_000_000) / 7;
      times.set(peer, field, valueMs);
      model.set(`${peer}/${field}`, valueMs);
    }
    for (const peer of peers) for (const field of FIELDS) expect(times.get(peer, field)).toBe(model.get(`${peer}/${field}`) ?? Number.NaN);
  });

  it('refuses a peer it has no slot for, and an index that is not one', () => {
    const times = new PeerTimes();
    times.add(10);
    expect(() => times.get(4096, DIED)).toThrow(/no times slot/);
    expect(() => times.add(-1)).toThrow(RangeError);
    expect(() => times.add(1.5)).toThrow(RangeError);
  });
});

describe('SimPeer', () => {
  const placement = { classIndex: 0, host: 1, router: null, serverPort: 4000, upnpForwardPort: null } as Placement;
  const clock = { nowMs: () => 0 } as unknown as Clock;

  it('reads and writes its times through the shared table: joined and addresses-since start at the join, the rest NaN', () => {
    const times = new PeerTimes();
    const a = new SimPeer(times, 7, simIdentity(7), placement, clock, 120.5);
    const b = new SimPeer(times, 8, simIdentity(8), placement, clock, 99);
    expect([a.joinedAtMs, a.addressesSinceMs, a.diedAtMs, a.goodbyeAtMs, a.firstDiscoverableAtMs, a.lastRefreshAtMs, a.listedUntilMs]).toEqual([120.5, 120.5, NaN, NaN, NaN, NaN, NaN]);
    a.diedAtMs = 500.25;
    a.lastRefreshAtMs = 400;
    b.listedUntilMs = 7;
    expect([a.diedAtMs, a.lastRefreshAtMs, a.listedUntilMs, b.diedAtMs, b.listedUntilMs, b.joinedAtMs]).toEqual([500.25, 400, NaN, NaN, 7, 99]);
  });

  it('derives its fingerprint from its index on every read, the same token each time', () => {
    const identity = simIdentity(255);
    expect(identity.fingerprintSha256).toBe('sim:ff');
    expect(identity.fingerprintSha256).toBe(identity.fingerprintSha256);
    expect(identity.certificatePem).toContain('\nsim:ff\n');
    // Not kept: the object holds its email and index only (a stored token would cost every peer that ever joined 32 bytes).
    expect(Object.keys(identity).sort()).toEqual(['email', 'index']);
    expect(Object.values(identity)).not.toContain('sim:ff');
    expect(() => simIdentity(-1)).toThrow(RangeError);
  });
});
