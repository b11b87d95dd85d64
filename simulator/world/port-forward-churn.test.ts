/**
 * What a peer's departure does to its home router's port forward: a
 * graceful leave removes the UPnP forward it added; a crash cannot, so the
 * forward outlives the peer; a static forward is the operator's and stays
 * either way.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Placement } from './topology-builder.ts';
import type { VirtualPeer } from './virtual-peer.ts';
import { World } from './world.ts';

async function departedForwards(portForward: 'upnp' | 'static', churn: string): Promise<boolean[]> {
  const world = new World(
    parseScenario('inline.yaml', `name: forwards\nseed: 2\npeers: 30\nduration: 2h\ntopology:\n  - kind: home-nat\n    share: 100%\n    port_forward: ${portForward}\nchurn: { ${churn} }\n`),
  );
  // A departed peer is kept without its placement (DepartedPeer): note each live peer's at every progress tick.
  const placements = new Map<number, Placement>();
  await world.run(() => {
    for (const peer of world.peers) if (peer?.alive) placements.set(peer.index, peer.placement);
  });
  const now = world.sim.clock.elapsedMs();
  const stranger = { address: 0x0a0a_0a0a, port: 40_000 };
  return world.peers
    .filter((peer) => peer !== undefined && !peer.alive && placements.has(peer.index))
    .map((peer) => placements.get((peer as VirtualPeer).index) as Placement)
    .map((placement) => placement.router?.inbound(placement.serverPort, stranger, now))
    .map((verdict) => verdict?.kind === 'forward' && verdict.via === 'port-forward');
}

describe('port forwards when a peer departs', () => {
  it('a graceful leave removes its UPnP forward', async () => {
    const forwards = await departedForwards('upnp', 'leaves_per_hour: 40%');
    expect(forwards.length).toBeGreaterThan(5);
    expect(forwards.every((kept) => !kept)).toBe(true);
  });

  it('a crash leaves the UPnP forward behind', async () => {
    const forwards = await departedForwards('upnp', 'crashes_per_hour: 40%');
    expect(forwards.length).toBeGreaterThan(5);
    expect(forwards.every((kept) => kept)).toBe(true);
  });

  it('a static forward stays after a graceful leave', async () => {
    const forwards = await departedForwards('static', 'leaves_per_hour: 40%');
    expect(forwards.length).toBeGreaterThan(5);
    expect(forwards.every((kept) => kept)).toBe(true);
  });
});
