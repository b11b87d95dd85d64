/**
 * Departed peers are kept in their small form (DepartedPeer): what is
 * still read of them reads as the live peer left it, and what only a live
 * peer has cannot be written by mistake.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Clock } from '../../reference/shared/clock.ts';
import { PeerTimes } from './peer-times.ts';
import { simIdentity } from './sim-certificates.ts';
import type { Placement } from './topology-builder.ts';
import { DepartedPeer, SimPeer } from './virtual-peer.ts';
import { World } from './world.ts';

describe('a departed peer in the World', () => {
  it('is kept as a DepartedPeer with its email, class, times and listing, and refuses live-only writes', async () => {
    const world = new World(parseScenario('inline.yaml', 'name: departed\nseed: 4\npeers: 40\nduration: 2h\ntopology:\n  - kind: home-nat\n    share: 50%\n  - kind: public\n    share: 50%\nchurn: { leaves_per_hour: 30%, crashes_per_hour: 30%, joins_per_hour: 30% }\n'));
    const seen = new Map<number, { email: string; classIndex: number; joinedAtMs: number }>();
    await world.run(() => {
      for (const peer of world.peers) if (peer?.alive) seen.set(peer.index, { email: peer.identity.email, classIndex: peer.placement.classIndex, joinedAtMs: peer.joinedAtMs });
    });
    const departed = world.peers.filter((peer) => peer !== undefined && !peer.alive);
    expect(departed.length).toBeGreaterThan(10);
    for (const peer of departed) {
      expect(peer).toBeInstanceOf(DepartedPeer);
      const before = seen.get(peer!.index);
      if (before === undefined) continue; // joined and left between two progress ticks
      expect({ email: peer!.identity.email, classIndex: peer!.placement.classIndex, joinedAtMs: peer!.joinedAtMs }).toEqual(before);
      expect(peer!.diedAtMs).toBeGreaterThanOrEqual(before.joinedAtMs);
      expect(peer!.currentAddresses).toEqual([]);
    }
    const listed = departed.filter((peer) => !Number.isNaN(peer!.listedUntilMs));
    expect(listed.length).toBeGreaterThan(0);
    for (const peer of listed) expect(peer!.listedUntilMs).toBeGreaterThanOrEqual(peer!.diedAtMs);
    // Who left gracefully is copied over: as many as the run counted leaves.
    expect(departed.filter((peer) => peer!.departedGracefully).length).toBe(world.measurements.counters.peersLeft);
    const one = departed[0] as DepartedPeer;
    expect(() => Object.assign(one, { lifecycle: {} })).toThrow(TypeError);
    expect(() => one.clock).toThrow(/has no clock/);
  });

  it('has its next lookup cancelled when it departs: no lookup event fires for a peer that has left', async () => {
    const fired: boolean[] = [];
    const lookup = (World.prototype as unknown as { lookup: (index: number) => void }).lookup;
    const spy = vi.spyOn(World.prototype as unknown as { lookup: (index: number) => void }, 'lookup').mockImplementation(function (this: World, index: number) {
      fired.push(this.peers[index]?.alive === true);
      lookup.call(this, index);
    });
    try {
      const world = new World(parseScenario('inline.yaml', 'name: cancelled\nseed: 5\npeers: 40\nduration: 3h\ntopology:\n  - kind: public\n    share: 100%\ntraffic: { lookups_per_peer_per_hour: 6 }\nchurn: { leaves_per_hour: 30%, crashes_per_hour: 30%, joins_per_hour: 30% }\n'));
      await world.run();
      expect(world.measurements.counters.peersLeft + world.measurements.counters.peersCrashed).toBeGreaterThan(20);
      expect(fired.length).toBeGreaterThan(300);
      expect(fired.filter((alive) => !alive)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('copies what is still read of the live peer it replaces, shares its times, and refuses a live peer or another index', () => {
    const times = new PeerTimes();
    const placement = { classIndex: 2, host: 9, router: null, serverPort: 4000, upnpForwardPort: null } as Placement;
    const shared = Object.freeze({ classIndex: 2, host: -1, router: null, serverPort: -1, upnpForwardPort: null }) as Placement;
    const live = new SimPeer(times, 12, simIdentity(12), placement, { nowMs: () => 0 } as unknown as Clock, 50);
    Object.assign(live, { departedGracefully: true, lastRefreshEpoch: 3, readyCount: 4, gapLookups: 5, listedEpoch: 6 });
    expect(() => new DepartedPeer(times, 12, shared, live)).toThrow(/cannot be retired/);
    live.alive = false;
    live.diedAtMs = 70;
    expect(() => new DepartedPeer(times, 13, shared, live)).toThrow(/cannot be retired/);
    const retired = new DepartedPeer(times, 12, shared, live);
    expect({ g: retired.departedGracefully, e: retired.lastRefreshEpoch, r: retired.readyCount, l: retired.gapLookups, le: retired.listedEpoch }).toEqual({ g: true, e: 3, r: 4, l: 5, le: 6 });
    expect([retired.identity.email, retired.joinedAtMs, retired.diedAtMs, retired.alive]).toEqual(['peer12@sim.test', 50, 70, false]);
    // A goodbye or a late ready answered after the swap writes the one times line both read.
    retired.goodbyeAtMs = 80;
    retired.lastRefreshAtMs = 75;
    expect([live.goodbyeAtMs, live.lastRefreshAtMs]).toEqual([80, 75]);
  });
});
