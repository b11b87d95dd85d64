/**
 * SPEC EXT-2 goodbye, run through the reference lifecycle's leave() and the
 * reference relay core: a graceful leave ends the listing when the goodbye
 * reaches the relay, against the TTL for a crash. Expected values derived
 * from the link latencies and the model's relay-call timing.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

const MINUTE = 60_000;
const INTERVAL = 30 * MINUTE;
const TTL = 60 * MINUTE;

/**
 * 400 peers join together on jitter-free 20 ms links; 15 % of that count
 * leave gracefully and 15 % crash per hour for 3 h, no joins, no lookups.
 * Half sit behind forwarded home routers: the goodbye is routed through
 * their NAT like any relay call.
 */
const LEAVES = `name: leaves
peers: 400
duration: 3h
join_spread: 0s
link: { latency: 20ms, jitter: 0ms, loss: 0 }
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    port_forward: upnp
traffic: { lookups_per_peer_per_hour: 0 }
churn: { leaves_per_hour: 15%, crashes_per_hour: 15% }
relay:
  extensions: [goodbye]
`;

/**
 * Derivation. A graceful leave sends its goodbye at the departure instant.
 * A relay call costs TCP + TLS 1.3 set-up (2 round trips) before the
 * request's one-way trip: 5 one-way trips until the relay ends the
 * broadcast. One way is the peer's link (20 ms) plus the relay's (5 ms and
 * up to 1 ms of jitter): w in [25, 26) ms, so the peer stays listed 5w, in
 * [125, 130) ms: one relay call's way to the relay (2.5 round trips).
 */
const GOODBYE_MIN_MS = 5 * 25;
const GOODBYE_MAX_MS = 5 * 26;

describe('goodbye (SPEC EXT-2) on a graceful leave', () => {
  it('ends the listing when the goodbye reaches the relay: 5 one-way trips, [125, 130) ms, for every leave', async () => {
    const r = await runScenario(parseScenario('leaves.yaml', LEAVES));
    const leave = r.distributions.listed_after_leave_ms;
    expect(r.metrics.peers_left).toBeGreaterThan(100);
    // Everyone was listed (ready accepted in the first 200 ms), so every leave gives a sample and a goodbye.
    expect(leave?.count).toBe(r.metrics.peers_left);
    expect(r.metrics.goodbyes_accepted).toBe(r.metrics.peers_left);
    expect(leave?.min).toBeGreaterThanOrEqual(GOODBYE_MIN_MS);
    expect(leave?.max).toBeLessThan(GOODBYE_MAX_MS);
    // 5 (25 + U), U uniform on [0, 1): mean 127.5 ms, sd 5 / sqrt(12); within 4 standard errors.
    expect(Math.abs((leave?.mean as number) - 127.5)).toBeLessThan((4 * 5) / Math.sqrt(12) / Math.sqrt(leave?.count ?? 1));
    // Crashes say nothing: still uniform on (TTL - interval, TTL] (see listing-truth.test.ts).
    const crash = r.distributions.listed_after_crash_ms;
    expect(crash?.count).toBe(r.metrics.peers_crashed);
    expect(crash?.min).toBeGreaterThan(TTL - INTERVAL - 1000);
    expect(crash?.max).toBeLessThanOrEqual(TTL);
    // The probes know a goodbye ended the listing: gone at lastRefresh + TTL - 1 ms as well.
    expect(r.metrics.visibility_probes).toBeGreaterThan(100);
    expect(r.metrics.visibility_violations).toBe(0);
    expect(r.distributions.listed_after_departure_ms?.count).toBe((leave?.count ?? 0) + (crash?.count ?? 0));
  });

  it('without the extension, a graceful leave stays listed as long as a crash: uniform on (TTL - interval, TTL]', async () => {
    const r = await runScenario({ ...parseScenario('leaves.yaml', LEAVES), relayExtensions: [] });
    const leave = r.distributions.listed_after_leave_ms;
    const n = leave?.count ?? 0;
    expect(n).toBeGreaterThan(100);
    expect(r.metrics.goodbyes_accepted).toBe(0);
    expect(leave?.min).toBeGreaterThan(TTL - INTERVAL - 1000);
    expect(leave?.max).toBeLessThanOrEqual(TTL);
    // Mean TTL - interval / 2 = 2,700 s, within 4 standard errors (sd interval / sqrt(12)).
    expect(Math.abs((leave?.mean as number) - (TTL - INTERVAL / 2))).toBeLessThan((4 * INTERVAL) / Math.sqrt(12) / Math.sqrt(n));
  });

  it('costs one relay request per graceful leave, on the same seed', async () => {
    const on = await runScenario(parseScenario('leaves.yaml', LEAVES));
    const off = await runScenario({ ...parseScenario('leaves.yaml', LEAVES), relayExtensions: [] });
    expect((on.metrics.relay_requests as number) - (off.metrics.relay_requests as number)).toBe(on.metrics.goodbyes_accepted);
  });

  it('a leave while a ready waits to be retried ends at once: no departed peer is listed past a TTL after it left', async () => {
    // Address changes send readies; a 20 min outage of a durable-store relay makes them fail and wait for a retry.
    const r = await runScenario(parseScenario('stuck.yaml', `name: stuck
seed: 1
peers: 200
duration: 3h
join_spread: 0s
topology: [ { kind: public, share: 100% } ]
traffic: { lookups_per_peer_per_hour: 0 }
churn: { leaves_per_hour: 50%, address_changes_per_hour: 100% }
relay:
  store: durable
  extensions: [goodbye]
  outages: [ { at: 30m, duration: 20m } ]
`));
    expect(r.metrics.peers_left).toBe(200);
    // A leave that waited for that retry used to wait for good while its lifecycle went on heartbeating (listed 3 h after leaving).
    expect(r.distributions.listed_after_leave_ms?.count).toBe(200);
    expect(r.distributions.listed_after_leave_ms?.max).toBeLessThanOrEqual(TTL);
    expect(r.metrics.visibility_violations).toBe(0);
  });
});
