/**
 * Where relay traffic leaves from decides whether a NATed peer without a
 * forward can be reached. The reference peer sends it from ephemeral
 * ports, so no NAT mapping ever leads to its Peer Server: even a full-cone
 * home (endpoint-independent filtering) is unreachable from outside. The
 * shared-port hypothesis sends it from the Peer Server port; its mapping
 * then lets anyone in, but only while a relay connection holds it and for
 * RFC 5382's transitory timeout (4 min) after the last one closes.
 */
import { describe, expect, it } from 'vitest';
import { INTERNET_REALM } from '../net/network.ts';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { RELAY_KEEPALIVE_IDLE_MS } from './relay-connections.ts';
import type { VirtualPeer } from './virtual-peer.ts';
import { World } from './world.ts';

const TRANSITORY_MS = 4 * 60_000;
const FULL_CONE = `name: full-cone
peers: 40
duration: 3h
lan_addressing: distinct
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    label: full cone, no forward
    nat: { mapping: endpoint-independent, filtering: endpoint-independent }
traffic:
  lookups_per_peer_per_hour: 6
`;

function scenario(extra = '', overrides: Partial<Scenario> = {}): Scenario {
  return { ...parseScenario('full-cone.yaml', FULL_CONE + extra), ...overrides };
}

function pair(results: Awaited<ReturnType<typeof runScenario>>, caller: string, callee: string) {
  const found = results.pairs.find((p) => p.caller === caller && p.callee === callee);
  if (found === undefined) throw new Error(`no pair ${caller} -> ${callee}`);
  return found;
}

describe('relay traffic source: the default is the reference peer (ephemeral ports)', () => {
  it('full-cone homes without a port forward are unreachable from outside, public peers always reachable', async () => {
    const s = scenario();
    expect(s.relayTrafficFrom).toBe('ephemeral');
    const results = await runScenario(s);
    expect(results.hypotheses).toEqual([]);
    for (const caller of ['public', 'full cone, no forward']) {
      const toHome = pair(results, caller, 'full cone, no forward');
      expect(toHome.tries).toBeGreaterThan(20);
      expect(toHome.successes).toBe(0);
      expect(pair(results, caller, 'public').success_ratio).toBe(1);
    }
  });
});

describe('relay traffic source: the shared-port hypothesis (RFC 5382 mapping lifetime)', () => {
  it('a full-cone home is reachable only some of the time: the mapping lives minutes past each relay call, not hours', async () => {
    const results = await runScenario(scenario('relay_traffic_from: shared-port-hypothesis\n'));
    expect(results.hypotheses).toHaveLength(1);
    const toHome = pair(results, 'public', 'full cone, no forward');
    expect(toHome.tries).toBeGreaterThan(20);
    // Each relay call of the home opens a window of 28 s + 4 min = 268 s. Its own lookups (Poisson,
    // 6 an hour) leave it closed exp(-6 * 268 / 3600) = 0.640 of the time, its heartbeats (every
    // 30 min) cover 2 * 268 / 3600 = 0.149 of it: open 1 - 0.851 * 0.640 = 0.455 of the time, which
    // is the chance a dial finds it (about 190 tries: one standard deviation 0.036). The old model
    // (mapping kept 2 h 4 min past the last call) gave 1.
    expect(toHome.success_ratio).toBeGreaterThan(0.3);
    expect(toHome.success_ratio).toBeLessThan(0.6);
    expect(pair(results, 'public', 'public').success_ratio).toBe(1);
  });

  it('after the last relay connection closes (28 s after its answer), outsiders get in for 4 min, then not', async () => {
    const { world, home } = await quietPair('shared-port-hypothesis');
    const connections = home.relayConnections;
    if (connections === undefined) throw new Error('the hypothesis keeps the relay connections');
    expect(connections.open).toBe(0);
    // The ready was the last call: its answer reached the peer a little after the relay took it.
    const sinceRefresh = connections.closesAtMs - home.lastRefreshAtMs;
    expect(sinceRefresh).toBeGreaterThanOrEqual(RELAY_KEEPALIVE_IDLE_MS);
    expect(sinceRefresh).toBeLessThan(RELAY_KEEPALIVE_IDLE_MS + 1000);
    const dialAt = outsiderDial(world, home);
    expect(dialAt(connections.closesAtMs - 1)).toMatchObject({ outcome: 'delivered', host: home.placement.host });
    expect(dialAt(connections.closesAtMs + TRANSITORY_MS - 1)).toMatchObject({ outcome: 'delivered', host: home.placement.host });
    expect(dialAt(connections.closesAtMs + TRANSITORY_MS)).toEqual({ outcome: 'dropped', reason: 'no-mapping' });
  });

  it('the default model leaves no mapping at all, even right after a relay call', async () => {
    const { world, home } = await quietPair('ephemeral');
    expect(home.relayConnections).toBeUndefined();
    expect(outsiderDial(world, home)(home.lastRefreshAtMs + 1)).toEqual({ outcome: 'dropped', reason: 'no-mapping' });
  });
});

/** One public peer and one full-cone home, no lookups: the home's only relay calls are register and ready at the start. */
async function quietPair(relayTrafficFrom: Scenario['relayTrafficFrom']): Promise<{ world: World; home: VirtualPeer }> {
  const world = new World(scenario('', { peers: 2, durationMs: 20 * 60_000, lookupsPerPeerPerHour: 0, relayTrafficFrom }));
  await world.run();
  const home = world.peers.find((p) => p?.placement.router !== null);
  if (home === undefined || !Number.isFinite(home.lastRefreshAtMs)) throw new Error('the home peer never became discoverable');
  return { world, home };
}

/** A dial from a fresh public host to the home's public address and Peer Server port, at a given time. */
function outsiderDial(world: World, home: VirtualPeer): (atMs: number) => ReturnType<World['net']['route']> {
  const outsider = world.net.addHost({ realm: INTERNET_REALM, ipv4: '198.18.0.1', ipv6: null, ipv6Firewall: false, link: { latencyMs: 20, jitterMs: 0, lossRatio: 0 } });
  const address = world.net.publicIpv4Of(home.placement.host) as string;
  return (atMs) => world.net.route(outsider, null, address, home.placement.serverPort, atMs);
}
