/**
 * What results.json reports beyond the headline metrics, checked against
 * what the model must give: the relay-load timeline, the kind of address
 * that wins, lookup latency from the link model, and what `unreachable:
 * reject` saves over `drop`.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

function scenario(body: string): ReturnType<typeof parseScenario> {
  return parseScenario('inline.yaml', `name: inline\nseed: 4\n${body}`);
}

describe('results.json outputs', () => {
  it('the timeline adds up to the relay requests counted, and live broadcasts track the live peers', async () => {
    const r = await runScenario(scenario('peers: 20\nduration: 2h\ntopology:\n  - kind: public\n    share: 100%\n'));
    const { timeline } = r;
    expect(timeline.relay_requests.reduce((a, b) => a + b, 0)).toBe(r.metrics.relay_requests);
    timeline.relay_requests.forEach((n, i) => expect(timeline.relay_requests_per_second[i]).toBeCloseTo((n * 1000) / timeline.bucket_ms, 3));
    // No churn: after the first minute every peer is listed, and stays listed (heartbeats every 30 min, TTL 1 h).
    expect(timeline.live_broadcasts.slice(1)).toEqual(timeline.live_broadcasts.slice(1).map(() => 20));
    expect(timeline.live_broadcasts.length).toBe(Math.ceil(r.options.duration_ms as number / timeline.bucket_ms));
  });

  it('peers on one LAN win on their private addresses; public peers on their public ones', async () => {
    const lan = await runScenario(scenario('peers: 12\nduration: 1h\ntopology:\n  - kind: home-nat\n    share: 100%\n    peers_per_lan: 12\n'));
    const pair = lan.pairs[0];
    expect(pair?.successes).toBeGreaterThan(5);
    expect(pair?.winning_address_kinds).toEqual({ 'private-v4': pair?.successes });
    const open = await runScenario(scenario('peers: 12\nduration: 1h\ntopology:\n  - kind: public\n    share: 100%\n'));
    expect(open.pairs[0]?.winning_address_kinds).toEqual({ 'public-v4': open.pairs[0]?.successes });
  });

  it('lookup latency is the link model: TCP + TLS set-up, the request and the answer, six one-way trips of 25 to 31 ms', async () => {
    // Peer links 20 ms + up to 5 ms jitter, the relay's 5 ms + up to 1 ms: one way is in [25, 31) ms.
    const r = await runScenario(scenario('peers: 16\nduration: 1h\nlink: { latency: 20ms, jitter: 5ms, loss: 0 }\ntopology:\n  - kind: public\n    share: 100%\n'));
    const latency = r.distributions.lookup_latency_ms;
    expect(latency?.count).toBe(r.metrics.lookups);
    expect(latency?.min).toBeGreaterThanOrEqual(6 * 25);
    expect(latency?.max).toBeLessThan(6 * 31);
  });

  it('unreachable: reject fails the dead private address fast, where drop waits out the 5 s attempt timeout', async () => {
    const homes = 'peers: 20\nduration: 1h\nlan_addressing: distinct\ntopology:\n  - kind: home-nat\n    share: 100%\n    port_forward: upnp\n    nat: { mapping: endpoint-independent, filtering: address-and-port-dependent }\n';
    const dropped = await runScenario(scenario(`${homes}unreachable: drop\n`));
    const rejected = await runScenario(scenario(`${homes}unreachable: reject\n`));
    expect(dropped.metrics.connect_success_ratio).toBe(1);
    expect(rejected.metrics.connect_success_ratio).toBe(1);
    // Both try the private address first (announced first) and win on the forwarded public one.
    expect(dropped.distributions.attempts_until_success?.min).toBe(2);
    expect(dropped.distributions.time_to_connect_ms?.min).toBeGreaterThanOrEqual(5000);
    expect(rejected.distributions.time_to_connect_ms?.max).toBeLessThan(1000);
  });
});
