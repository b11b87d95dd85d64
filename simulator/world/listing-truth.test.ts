/**
 * What the relay's own state says about listings, against values derived
 * by hand from the protocol and the reference peer's timers:
 * listed_after_departure_ms after crashes, and expiry gaps (windows in
 * which a live peer was not listed, looked up or not).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

const MINUTE = 60_000;
const INTERVAL = 30 * MINUTE;
const TTL = 60 * MINUTE;

/**
 * 1000 peers join together (so every heartbeat falls on one 30 min grid)
 * and 25 % of that count crash per hour for 3 h, with no joins: about 750
 * crashes at Poisson times, each of a peer still running the reference
 * lifecycle. No heartbeat is lost, no relay outage.
 */
const CRASHES = `name: crashes
peers: 1000
duration: 3h
join_spread: 0s
topology:
  - kind: public
    share: 100%
traffic: { lookups_per_peer_per_hour: 0 }
churn: { crashes_per_hour: 25% }
`;

describe('listed_after_departure_ms after crashes', () => {
  it('is uniform on (interval, TTL]: mean, median and p90 as derived, within 4 standard errors', async () => {
    const r = await runScenario(parseScenario('crashes.yaml', CRASHES));
    const d = r.distributions.listed_after_departure_ms;
    const n = d?.count ?? 0;
    // A sample per crashed peer that had been listed: all but the odd one crashed in the first 300 ms, before its ready.
    expect(n).toBeLessThanOrEqual(r.metrics.peers_crashed as number);
    expect(n).toBeGreaterThanOrEqual((r.metrics.peers_crashed as number) - 3);
    expect(n).toBeGreaterThan(600);
    // Derivation: a crash at a uniform time falls a uniform age U in [0, interval) after the peer's last accepted
    // heartbeat (the heartbeats are on one grid, the crash times Poisson); the relay keeps the record until
    // last heartbeat + TTL, so it stays listed TTL - U: uniform on (TTL - interval, TTL] = (30 min, 60 min].
    // Mean TTL - interval/2 = 2,700 s, standard deviation interval/sqrt(12) = 519.6 s; the q-quantile is
    // TTL - interval * (1 - q), with a standard error of interval * sqrt(q (1 - q) / n).
    const sd = INTERVAL / Math.sqrt(12);
    expect(Math.abs((d?.mean as number) - (TTL - INTERVAL / 2))).toBeLessThan((4 * sd) / Math.sqrt(n));
    for (const [q, value] of [[0.5, d?.p50], [0.9, d?.p90]] as const) {
      expect(Math.abs((value as number) - (TTL - INTERVAL * (1 - q)))).toBeLessThan(4 * INTERVAL * Math.sqrt((q * (1 - q)) / n));
    }
    // The ends: never past the TTL; below TTL - interval only by the heartbeat's own round trips (under 1 s).
    expect(d?.max).toBeLessThanOrEqual(TTL);
    expect(d?.min).toBeGreaterThan(TTL - INTERVAL - 1000);
    // The whole shape: no CDF point further from the uniform's than Kolmogorov-Smirnov's 0.1 % bound.
    for (const [value, fraction] of d?.cdf ?? []) expect(Math.abs(fraction - (value - (TTL - INTERVAL)) / INTERVAL)).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('is measured whether or not anyone looked the peer up, and is null with a note when nobody departed', async () => {
    const quiet = await runScenario(parseScenario('quiet.yaml', CRASHES.replace('churn: { crashes_per_hour: 25% }\n', '').replace('peers: 1000', 'peers: 10')));
    expect(quiet.distributions.listed_after_departure_ms).toMatchObject({ count: 0, mean: null, p95: null, note: 'no samples' });
    const failed = await runScenario({ ...parseScenario('quiet.yaml', `${CRASHES.replace('peers: 1000', 'peers: 10').replace('churn: { crashes_per_hour: 25% }\n', '')}assertions:\n  - p95(listed_after_departure_ms) < 3600000\n`) });
    expect(failed.assertions[0]).toMatchObject({ value: null, passed: false, note: 'listed_after_departure_ms has no samples in this run' });
  });
});

/**
 * Two peers join at 0 on jitter-free 20 ms links (the relay's own link adds
 * 5 to 6 ms: one way is w in [25, 26) ms). Every heartbeat sent between
 * 20 min and 70 min is dropped.
 */
const BLACKOUT = `name: blackout
peers: 2
duration: 2h
join_spread: 0s
link: { latency: 20ms, jitter: 0ms, loss: 0 }
topology:
  - kind: public
    share: 100%
traffic: { lookups_per_peer_per_hour: LOOKUPS }
faults:
  heartbeat_blackouts: [ { at: 20m, duration: 50m } ]
assertions:
  - expiry_gaps == 0
`;

describe('expiry gaps', () => {
  it('heartbeats dropped past the TTL, then back: one gap per peer, of the length derived from the lifecycle timers', async () => {
    const r = await runScenario(parseScenario('blackout.yaml', BLACKOUT.replace('LOOKUPS', '0')));
    // Derivation (each relay call: TCP + TLS set-up and request = 5 one-way trips to arrive, 6 for the answer):
    // register answered at 6w, the ready accepted at R = 6w + 5w. The broadcast expires at R + TTL.
    // The first heartbeat goes at 12w + interval (30 min: in the blackout), and, dropped, is retried every
    // 30 s request timeout + 30 s retry delay = 60 s. The first retry past 70 min is the 40th, at
    // 12w + 70 min; it finds the broadcast gone (404), and the ready sent on its answer is accepted
    // 6w + 5w later. Gap: 12w + 70 min + 11w - (11w + 60 min) = 10 min + 12w, in [600,300, 600,312) ms.
    expect(r.expiry_gaps.count).toBe(2);
    expect(r.metrics.expiry_gaps).toBe(2);
    for (const [i, gap] of r.expiry_gaps.windows.entries()) {
      expect(gap).toMatchObject({ peer: `peer${i}@sim.test`, cause: 'expired', ended: 're-listed', lookups: 0 });
      expect(gap.from_ms).toBeGreaterThanOrEqual(TTL + 11 * 25);
      expect(gap.from_ms).toBeLessThan(TTL + 11 * 26);
      expect(gap.length_ms).toBeGreaterThanOrEqual(10 * MINUTE + 12 * 25);
      expect(gap.length_ms).toBeLessThan(10 * MINUTE + 12 * 26);
    }
    expect(r.distributions.expiry_gap_ms).toMatchObject({ count: 2 });
    expect(r.metrics.heartbeats_dropped).toBe(2 * 40);
    // Nobody looked them up, so nothing counted them: false_expiries only counts lookups inside a gap.
    expect(r.metrics.false_expiries).toBe(0);
    expect(r.assertions[0]).toMatchObject({ assertion: 'expiry_gaps == 0', value: 2, passed: false });
  });

  it('lookups that fall into a gap are its false expiries: the windows add up to false_expiries', async () => {
    const r = await runScenario(parseScenario('blackout.yaml', BLACKOUT.replace('LOOKUPS', '120')));
    expect(r.expiry_gaps.count).toBe(2);
    const inGaps = r.expiry_gaps.windows.reduce((sum, gap) => sum + gap.lookups, 0);
    expect(inGaps).toBeGreaterThan(0);
    expect(inGaps).toBe(r.metrics.false_expiries);
    expect(r.invariant_examples.false_expiries?.[0]).toMatchObject({ status: 404, target_listing_ended_ms: r.expiry_gaps.windows.find((g) => g.peer === r.invariant_examples.false_expiries?.[0]?.target)?.from_ms });
  });

  it('a memory-store relay going down opens a gap for every listed peer at that instant; a durable store opens none', async () => {
    const file = `name: restart
peers: 20
duration: 2h
join_spread: 30m
topology:
  - kind: public
    share: 100%
traffic: { lookups_per_peer_per_hour: 6 }
relay:
  store: STORE
  outages: [ { at: 1h, duration: 5m } ]
`;
    const memory = await runScenario(parseScenario('restart.yaml', file.replace('STORE', 'memory')));
    expect(memory.expiry_gaps.count).toBe(20);
    for (const gap of memory.expiry_gaps.windows) expect(gap).toMatchObject({ from_ms: 60 * MINUTE, cause: 'relay_store_lost', ended: 're-listed' });
    // Each peer learns of the loss at its next heartbeat (401), within one interval of the restart.
    expect(memory.distributions.expiry_gap_ms?.max).toBeLessThan(5 * MINUTE + INTERVAL + MINUTE);
    expect(memory.expiry_gaps.windows.reduce((sum, gap) => sum + gap.lookups, 0)).toBe(memory.metrics.false_expiries);
    const durable = await runScenario(parseScenario('restart.yaml', file.replace('STORE', 'durable')));
    expect(durable.metrics.expiry_gaps).toBe(0);
    expect(durable.distributions.expiry_gap_ms).toMatchObject({ count: 0, max: null, note: 'no samples' });
  });
});
