/**
 * Departed peers are kept in their small form (DepartedPeer): what is
 * still read of them reads as the live peer left it, and what only a live
 * peer has cannot be written by mistake.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load-scenario.ts';
import { DepartedPeer } from './virtual-peer.ts';
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
    const one = departed[0] as DepartedPeer;
    expect(() => Object.assign(one, { lifecycle: {} })).toThrow(TypeError);
    expect(() => one.clock).toThrow(/has no clock/);
  });
});
