import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load-scenario.ts';
import { ScenarioError } from './scenario-error.ts';
import { parseDurationMs } from './units.ts';

const MINIMAL = `name: tiny
peers: 10
duration: 2h
topology:
  - kind: home-nat
    share: 60%
    nat: { mapping: endpoint-independent, filtering: endpoint-independent }
  - kind: public
    share: 40%
assertions:
  - p95(time_to_connect_ms) < 6000
  - false_expiries == 0
`;

function errorOf(text: string): ScenarioError {
  try {
    parseScenario('scenarios/x.yaml', text);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('reads a minimal scenario with protocol defaults', () => {
    const s = parseScenario('tiny.yaml', MINIMAL);
    expect(s).toMatchObject({ name: 'tiny', peers: 10, durationMs: 7_200_000, heartbeatIntervalMs: 1_800_000, ttlSeconds: 3600, strategy: 'sequential', unreachable: 'drop' });
    expect(s.topology.map((t) => [t.label, t.sharePercent])).toEqual([['home-nat EIM/EIF', 60], ['public', 40]]);
    // The reference peer's relay client sends from ephemeral ports; RFC 5382's timeouts for the NAT.
    expect(s.relayTrafficFrom).toBe('ephemeral');
    expect(s.topology[0]?.nat).toMatchObject({ mappingTimeoutMs: 124 * 60_000, transitoryTimeoutMs: 4 * 60_000 });
    expect(s.assertions.map((a) => [a.stat, a.metric, a.operator, a.threshold])).toEqual([['p95', 'time_to_connect_ms', '<', 6000], [null, 'false_expiries', '==', 0]]);
    expect(s.heartbeatBlackouts).toEqual([]);
  });

  it('reads heartbeat blackouts, and assertions on the listing metrics', () => {
    const s = parseScenario('tiny.yaml', `${MINIMAL}  - expiry_gaps == 0\n  - p50(listed_after_departure_ms) > 1800000\n  - max(expiry_gap_ms) < 60000\nfaults:\n  heartbeat_blackouts: [ { at: 20m, duration: 50m } ]\n`);
    expect(s.heartbeatBlackouts).toEqual([{ atMs: 20 * 60_000, durationMs: 50 * 60_000 }]);
    expect(s.assertions.slice(2).map((a) => [a.stat, a.metric])).toEqual([[null, 'expiry_gaps'], ['p50', 'listed_after_departure_ms'], ['max', 'expiry_gap_ms']]);
  });

  it('reads the relay extensions (none by default, kept in one order) and the retry delay (the reference default 30 s)', () => {
    const plain = parseScenario('tiny.yaml', MINIMAL);
    expect(plain).toMatchObject({ relayExtensions: [], retryDelayMs: 30_000 });
    const s = parseScenario('tiny.yaml', `${MINIMAL}relay:\n  extensions: [observed-address, goodbye]\nprotocol: { retry_delay: 2m }\n`);
    expect(s).toMatchObject({ relayExtensions: ['goodbye', 'observed-address'], retryDelayMs: 120_000 });
  });

  it.each([
    ['an unknown field', MINIMAL.replace('duration: 2h', 'duration: 2h\ndurration: 3h'), 4, 'durration', /unknown field/],
    ['a bad duration', MINIMAL.replace('duration: 2h', 'duration: two hours'), 3, 'duration', /expected a duration/],
    ['shares not adding to 100%', MINIMAL.replace('share: 40%', 'share: 30%'), 5, 'topology', /add up to 90%/],
    ['a bad NAT mapping', MINIMAL.replace('mapping: endpoint-independent', 'mapping: full-cone'), 7, 'topology[0].nat.mapping', /expected one of/],
    ['an unknown metric', MINIMAL.replace('false_expiries == 0', 'false_expires == 0'), 12, 'assertions[1]', /unknown metric "false_expires"/],
    ['a statistic of a scalar', MINIMAL.replace('false_expiries == 0', 'p95(false_expiries) < 1'), 12, 'assertions[1]', /not a distribution/],
    ['a missing required field', MINIMAL.replace('peers: 10\n', ''), 1, 'peers', /required/],
    ['too few peers', MINIMAL.replace('peers: 10', 'peers: 1'), 2, 'peers', /at least 2/],
    ['a TTL not above the heartbeat interval', `${MINIMAL}protocol: { heartbeat_interval: 1h, ttl: 1h }\n`, 13, 'protocol.ttl', /must exceed/],
    ['broken YAML (a duplicated key)', 'name: a\nname: b\n', 2, '(document)', /not valid YAML/],
    ['more peers per LAN than a /24 has host addresses', MINIMAL.replace('share: 60%', 'share: 60%\n    peers_per_lan: 246'), 7, 'topology[0].peers_per_lan', /at most 245/],
    ['a NAT on a public class', MINIMAL.replace('share: 40%', 'share: 40%\n    nat: { mapping: address-dependent }'), 10, 'topology[1].nat', /has no NAT or LAN/],
    ['a carrier NAT on a home class', MINIMAL.replace('share: 60%', 'share: 60%\n    carrier_nat: { filtering: endpoint-independent }'), 7, 'topology[0].carrier_nat', /only a cgnat class/],
    ['a port forward where there is nothing to forward through', MINIMAL.replace('share: 40%', 'share: 40%\n    port_forward: upnp'), 10, 'topology[1].port_forward', /no NAT and no IPv6 firewall/],
    ['the retired relay_traffic_from: server-port (not an alias: its NAT lifetime changed)', `${MINIMAL}relay_traffic_from: server-port\n`, 13, 'relay_traffic_from', /^"server-port" is gone: the reference peer sends relay traffic from ephemeral ports\. Write ephemeral .* or shared-port-hypothesis .*RFC 5382/],
    ['an unknown relay traffic source', `${MINIMAL}relay_traffic_from: reuseport\n`, 13, 'relay_traffic_from', /expected one of ephemeral, shared-port-hypothesis, got "reuseport"/],
    ['a heartbeat blackout after the end of the run', `${MINIMAL}faults:\n  heartbeat_blackouts: [ { at: 3h, duration: 5m } ]\n`, 14, 'faults.heartbeat_blackouts[0].at', /after the end of the run/],
    ['overlapping heartbeat blackouts', `${MINIMAL}faults:\n  heartbeat_blackouts:\n    - { at: 10m, duration: 20m }\n    - { at: 20m, duration: 5m }\n`, 16, 'faults.heartbeat_blackouts[1].at', /overlaps the previous blackout/],
    ['an unknown relay extension', `${MINIMAL}relay:\n  extensions: [goodbye, farewell]\n`, 14, 'relay.extensions[1]', /expected one of goodbye, observed-address, got "farewell"/],
    ['renew, which the simulator cannot exercise', `${MINIMAL}relay:\n  extensions: [renew]\n`, 14, 'relay.extensions[0]', /^renew is not simulated: simulated certificates never expire/],
    ['an extension listed twice', `${MINIMAL}relay:\n  extensions: [goodbye, goodbye]\n`, 14, 'relay.extensions[1]', /goodbye is listed twice/],
    ['a retry delay under a second', `${MINIMAL}protocol: { retry_delay: 10ms }\n`, 13, 'protocol.retry_delay', /at least 1000 ms/],
    ['distinct LANs past the 10.0.0.0/8 plan', MINIMAL.replace('peers: 10', 'peers: 70000').replace('duration: 2h', 'duration: 2h\nlan_addressing: distinct'), null, 'lan_addressing', /at most 65536 LANs, but this run may place up to 70000 peers/],
  ] as Array<[string, string, number | null, string, RegExp]>)('rejects %s, naming file, line and field', (_what, text, line, field, problem) => {
    const error = errorOf(text);
    expect(error.file).toBe('scenarios/x.yaml');
    expect(error.line).toBe(line);
    expect(error.field).toBe(field);
    expect(error.problem).toMatch(problem);
    expect(error.message).toBe(`scenarios/x.yaml${line === null ? '' : `:${line}`}: ${field}: ${error.problem}`);
    expect(error.message).not.toContain('\n');
  });
});

describe('durations', () => {
  it.each([
    ['24h', 86_400_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['0', 0],
    ['5', null],
    ['h', null],
    ['5 parsecs', null],
  ])('%s -> %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
});

describe('shipped scenarios', () => {
  const dir = join(import.meta.dirname, '../../scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  it('include the ten the issue asks for', () => {
    for (const name of ['same-lan', 'two-homes', 'symmetric-both-sides', 'cgnat', 'ipv6-mixed', 'overlapping-lans', 'mass-churn', 'relay-restart', 'heartbeat-loss', 'address-change']) {
      expect(files).toContain(`${name}.yaml`);
    }
  });
  it.each(files)('%s parses, and opens with a comment saying what it shows', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.startsWith('#')).toBe(true);
    expect(parseScenario(file, text).name).toBe(file.replace(/\.yaml$/, ''));
  });
});
