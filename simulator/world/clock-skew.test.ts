/**
 * Clock skew between peers and relay (issue: "There is clock skew between
 * peers and relay"). The protocol makes expiry the relay's business alone:
 * the relay judges TTLs on its own clock and tells peers `expires_in`, a
 * duration, so no peer ever compares its clock with the relay's. Then
 * skewing every clock by a sizeable share of the TTL must change nothing
 * that is measured. Skew draws from its own random stream, so the skewed
 * and unskewed runs see the same arrivals, churn and traffic: any
 * difference in what they measure is a clock being mixed up somewhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildResults, type Results } from '../report/results.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { emailQuery } from './transport.ts';
import { PROBE_IDENTITY, type VirtualRelay } from './virtual-relay.ts';
import { World } from './world.ts';

const MINUTE_MS = 60_000;
const RELAY_SKEW_MS = 50 * MINUTE_MS;
const PEER_SKEW_MS = 40 * MINUTE_MS;

function massChurn(overrides: Partial<Scenario>): Scenario {
  const text = readFileSync(join(import.meta.dirname, '../../scenarios/mass-churn.yaml'), 'utf8');
  return { ...parseScenario('mass-churn.yaml', text), peers: 40, durationMs: 3 * 60 * MINUTE_MS, ...overrides };
}

async function run(scenario: Scenario): Promise<{ world: World; results: Results }> {
  const world = new World(scenario);
  await world.run();
  return { world, results: buildResults(scenario, world.measurements, world.sim.eventsProcessed) };
}

/** What a run measured, without the echo of its own options (which name the skew). */
function measured(results: Results): Omit<Results, 'options'> {
  const { options: _options, ...rest } = results;
  return rest;
}

describe('clock skew between peers and relay', () => {
  it('changes nothing measured: peers 40 min off and the relay 50 min off (TTL 1 h)', async () => {
    const straight = await run(massChurn({ relayClockSkewMs: 0, peerClockSkewMs: 0 }));
    const skewed = await run(massChurn({ relayClockSkewMs: RELAY_SKEW_MS, peerClockSkewMs: PEER_SKEW_MS }));
    expect(skewed.results.counters.visibilityProbes).toBeGreaterThan(4);
    expect(skewed.results.metrics.visibility_violations).toBe(0);
    expect(skewed.results.metrics.false_expiries).toBe(0);
    expect(skewed.results.metrics.re_ready_recoveries).toBe(0);
    expect(measured(skewed.results)).toEqual(measured(straight.results));
  });

  it('is really applied: the relay reports last_seen on its own clock, and peers read theirs', async () => {
    const { world } = await run(massChurn({ relayClockSkewMs: RELAY_SKEW_MS, peerClockSkewMs: PEER_SKEW_MS, durationMs: 20 * MINUTE_MS }));
    const live = world.peers.filter((p) => p?.alive && !Number.isNaN(p.lastRefreshAtMs));
    expect(live.length).toBeGreaterThan(10);
    const relay = (world as unknown as { relay: VirtualRelay }).relay;
    const target = live[0]!;
    const reply = await relay.handle({ method: 'GET', path: '/api/relay/broadcast/lookup', query: emailQuery(target.identity.email), bodyText: null, principal: { fingerprintSha256: PROBE_IDENTITY.fingerprintSha256, source: 'tls' } });
    const lastSeenS = (reply.body as { last_seen: number }).last_seen;
    const refreshedAtS = Math.floor((world.sim.clock.nowMs() - world.sim.clock.elapsedMs() + target.lastRefreshAtMs + RELAY_SKEW_MS) / 1000);
    expect(lastSeenS).toBe(refreshedAtS);
    const peerSkewsMs = live.map((p) => p!.clock.nowMs() - world.sim.clock.nowMs());
    expect(Math.max(...peerSkewsMs.map(Math.abs))).toBeLessThanOrEqual(PEER_SKEW_MS);
    expect(new Set(peerSkewsMs).size).toBeGreaterThan(live.length / 2);
  });
});
