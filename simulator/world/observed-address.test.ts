/**
 * SPEC EXT-3 observed address, run through the reference relay core (which
 * echoes the request's source as the relay saw it) and the reference
 * lifecycle (which appends it to its announcement): a peer behind a home
 * router with a port forward becomes reachable from outside without
 * announce_public_address, because the address the relay sees is its
 * router's public one, and the forward maps the Peer Server's own port.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { VirtualPeer } from './virtual-peer.ts';
import { World } from './world.ts';

const FORWARDED = 'home, forward';
const CLOSED = 'home, no forward';
const HOMES = `name: forwarded-homes
peers: 60
duration: 2h
join_spread: 5m
lan_addressing: distinct
announce_public_address: false
topology:
  - kind: public
    share: 30%
  - kind: home-nat
    share: 40%
    label: ${FORWARDED}
    port_forward: upnp
  - kind: home-nat
    share: 30%
    label: ${CLOSED}
traffic: { lookups_per_peer_per_hour: 6 }
relay:
  extensions: [observed-address]
`;

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return { ...parseScenario('forwarded-homes.yaml', HOMES), ...overrides };
}

/** Every caller class's success ratio into `callee`, with how many tries it rests on. */
function into(results: Awaited<ReturnType<typeof runScenario>>, callee: string): Array<{ caller: string; tries: number; ratio: number | null }> {
  return results.pairs.filter((p) => p.callee === callee).map((p) => ({ caller: p.caller, tries: p.tries, ratio: p.success_ratio }));
}

describe('observed address (SPEC EXT-3)', () => {
  it('makes forwarded homes reachable from everywhere without announce_public_address, over the router\'s public address', async () => {
    const r = await runScenario(scenario());
    for (const pair of into(r, FORWARDED)) {
      expect(pair.tries).toBeGreaterThan(10);
      expect(pair).toMatchObject({ ratio: 1 });
    }
    const winners = r.pairs.filter((p) => p.callee === FORWARDED).map((p) => p.winning_address_kinds);
    for (const kinds of winners) expect(Object.keys(kinds)).toEqual(['public-v4']);
    // Without a forward the router's address leads nowhere: announced, but no better than before.
    for (const pair of into(r, CLOSED)) expect(pair).toMatchObject({ ratio: 0 });
    expect(r.metrics.readies_with_observed_address).toBeGreaterThan(0);
    // The oracle judges against the same rule, so nothing is stale for it (no churn, no renumbering).
    expect(r.metrics.stale_lookups).toBe(0);
  });

  it('without the extension a forwarded home is unreachable from outside unless its user announces the public address', async () => {
    const off = await runScenario(scenario({ relayExtensions: [] }));
    for (const pair of into(off, FORWARDED)) expect(pair).toMatchObject({ ratio: 0 });
    expect(off.metrics.readies_with_observed_address).toBe(0);
    const typed = await runScenario(scenario({ relayExtensions: [], announcePublicAddress: true }));
    for (const pair of into(typed, FORWARDED)) expect(pair).toMatchObject({ ratio: 1 });
  });

  it('announces the router\'s public address after its own, with the Peer Server port the forward keeps', async () => {
    const world = new World(scenario());
    await world.run();
    const homes = world.peers.filter((p): p is VirtualPeer => p !== undefined && world.scenario.topology[p.placement.classIndex]?.label === FORWARDED);
    expect(homes.length).toBeGreaterThan(10);
    for (const peer of homes) {
      const { host, router, serverPort } = peer.placement;
      const outside = world.net.publicIpv4Of(host) as string;
      expect(peer.lifecycle?.announcedAddresses).toEqual([world.net.hostIpv4(host), outside]);
      // The reference peer announces one port for all its addresses: the forward must keep the port number.
      const verdict = router?.inbound(serverPort, { address: 1, port: 1 }, world.sim.clock.elapsedMs());
      expect(verdict).toMatchObject({ kind: 'forward', via: 'port-forward', to: { port: serverPort } });
    }
  });

  it('re-announces a renumbered router\'s new address at the next heartbeat: stale answers are at most a heartbeat interval old', async () => {
    const renumbered = scenario({ churn: { joinsPerHour: 0, leavesPerHour: 0, crashesPerHour: 0, addressChangesPerHour: 0.5 }, lookupsPerPeerPerHour: 30 });
    const r = await runScenario(renumbered);
    expect(r.metrics.address_changes).toBeGreaterThan(20);
    expect(r.metrics.stale_lookups).toBeGreaterThan(0);
    // The heartbeat answer carries the new address; a ready follows at once (one relay call, well under 1 s).
    expect(r.distributions.staleness_ms?.max).toBeLessThan(renumbered.heartbeatIntervalMs + 1000);
    for (const pair of into(r, FORWARDED)) expect(pair.ratio).toBeGreaterThan(0.5);
  });
});
