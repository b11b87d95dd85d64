/**
 * schemas/scenario.schema.json against the loader it describes
 * (simulator/scenario/load-scenario.ts): every shipped scenario validates
 * and names the schema on its first line; every scenario text in the tests
 * and docs that the loader accepts validates, and one it refuses for an
 * unknown field is refused; at every level the schema knows exactly the
 * fields the loader knows; its choices, durations, percentages and
 * assertions are the loader's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../simulator/scenario/load-scenario.ts';
import { parseDurationMs, parsePercent } from '../../simulator/scenario/units.ts';
import { DISTRIBUTION_METRICS, parseAssertion, SCALAR_METRICS, STATS } from '../../simulator/scenario/assertions.ts';
import { IPV6_MODES, PORT_FORWARDS, RELAY_TRAFFIC_MODES, SIM_EXTENSIONS, TOPOLOGY_KINDS } from '../../simulator/scenario/scenario.ts';
import { NAT_MAPPINGS } from '../../simulator/net/nat-behaviour.ts';
import { TRY_STRATEGIES } from '../../reference/peer/core/try-order.ts';
import { documentedScenarios, inlineScenarios } from './scenario-corpus.ts';
import { problems, readSchema, ROOT } from './schemas.ts';

const SCENARIOS = join(ROOT, 'scenarios');
const MODELINE = '# yaml-language-server: $schema=../schemas/scenario.schema.json';

/** Every field the schema knows, at least once, most not at their defaults. */
const FULL = `name: full
seed: 3
peers: 20
duration: 2h
join_spread: 1m
topology:
  - kind: cgnat
    share: 60%
    label: carrier homes
    nat: { mapping: endpoint-independent, filtering: address-dependent, hairpinning: false, port_preservation: true, mapping_timeout: 2h4m, transitory_timeout: 4m }
    carrier_nat: { mapping: address-and-port-dependent }
    port_forward: upnp
    ipv6: firewalled
    peers_per_lan: 2
  - kind: public
    share: 40%
lan_addressing: distinct
link: { latency: 20ms, jitter: 5ms, loss: 1% }
lan_latency: 1ms
unreachable: reject
relay_traffic_from: ephemeral
server_port: 8080
announce_public_address: false
protocol: { heartbeat_interval: 30m, ttl: 1h, attempt_timeout: 5s, strategy: race, race_stagger: 250ms, request_timeout: 30s, retry_delay: 30s, address_check_interval: 60s }
traffic: { lookups_per_peer_per_hour: 4, friends_per_peer: 2, health_interval: 60s }
churn: { joins_per_hour: 10%, leaves_per_hour: 0.05, crashes_per_hour: 5%, address_changes_per_hour: 0 }
faults: { heartbeat_loss: 30%, heartbeat_blackouts: [ { at: 20m, duration: 5m } ] }
relay: { store: durable, extensions: [goodbye, observed-address], outages: [ { at: 1h, duration: 5m } ], clock_skew: 0 }
peer_clock_skew: 2s
assertions:
  - p95(time_to_connect_ms) < 6000
  - false_expiries == 0
`;

/** Every mapping the loader reads, as a path into FULL. */
const MAPPINGS: Array<Array<string | number>> = [[], ['topology', 0], ['topology', 0, 'nat'], ['topology', 0, 'carrier_nat'], ['link'], ['protocol'], ['traffic'], ['churn'], ['faults'], ['faults', 'heartbeat_blackouts', 0], ['relay'], ['relay', 'outages', 0]];

type Schema = { properties?: Record<string, Schema>; items?: Schema; $ref?: string; enum?: unknown[]; pattern?: string; anyOf?: Schema[] };
const SCHEMA = readSchema('scenario') as Schema & { $defs: Record<string, Schema> };

function resolve(s: Schema): Schema {
  return s.$ref ? resolve(SCHEMA.$defs[s.$ref.replace('#/$defs/', '')] as Schema) : s;
}

/** The schema of the value at `path` in a scenario. */
function schemaAt(path: ReadonlyArray<string | number>): Schema {
  let s: Schema = SCHEMA;
  for (const part of path) s = resolve(typeof part === 'number' ? (s.items as Schema) : (s.properties?.[part] as Schema));
  return s;
}

function loaderError(text: string): string | null {
  try {
    parseScenario('x.yaml', text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Checks the loader, and the schema on the same text as an editor would read it. */
function both(text: string): { loader: string | null; schema: string[] } {
  return { loader: loaderError(text), schema: problems('scenario', parse(text, { uniqueKeys: true })) };
}

describe('scenario.schema.json and the shipped scenarios', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();

  it.each(files)('scenarios/%s names the schema on its first line, loads, and validates', (file) => {
    const text = readFileSync(join(SCENARIOS, file), 'utf8');
    expect(text.split('\n')[0]).toBe(MODELINE);
    expect(both(text)).toEqual({ loader: null, schema: [] });
  });
});

describe('scenario.schema.json against the loader', () => {
  it('accepts the scenario with every field, which the loader accepts too', () => {
    expect(both(FULL)).toEqual({ loader: null, schema: [] });
  });

  it.each(MAPPINGS.map((p) => [p.join('.') || '(top level)', p] as const))('%s: knows exactly the fields the loader knows (additionalProperties false, as the loader refuses unknown keys)', (_, path) => {
    const doc = parseDocument(FULL);
    doc.setIn([...path, 'zz_typo'], 1);
    const text = doc.toString();
    const known = /unknown field \(known: ([^)]*)\)/.exec(loaderError(text) ?? '')?.[1]?.split(', ');
    expect(known).toBeDefined();
    expect(Object.keys(schemaAt(path).properties ?? {}).sort()).toEqual([...(known as string[])].sort());
    // FULL names each of them (carrier_nat shares nat's fields), so each is a field the loader reads, not only lists.
    if (path.at(-1) !== 'carrier_nat') expect(Object.keys(pick(parse(FULL), path)).sort()).toEqual([...(known as string[])].sort());
    expect(problems('scenario', parse(text))).toEqual([`${path.length === 0 ? '(root)' : `/${path.join('/')}`} must NOT have additional properties {"additionalProperty":"zz_typo"}`]);
  });

  const corpus = [...inlineScenarios(), ...documentedScenarios()];
  it('finds the inline scenarios of the tests and the docs', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
  });

  it.each(corpus.map((e) => [e.where, e.text] as const))('%s: validates when the loader accepts it, and is refused when the loader refuses an unknown field', (_, text) => {
    const { loader, schema } = both(text);
    if (loader === null) expect(schema).toEqual([]);
    else if (/unknown field/.test(loader)) expect(schema).not.toEqual([]);
  });

  it('refuses a typo the loader refuses, naming the key', () => {
    const typo = FULL.replace('peer_clock_skew:', 'peer_clock_skw:');
    expect(loaderError(typo)).toMatch(/peer_clock_skw: unknown field/);
    expect(problems('scenario', parse(typo))).toEqual(['(root) must NOT have additional properties {"additionalProperty":"peer_clock_skw"}']);
    const nested = FULL.replace('race_stagger:', 'race_stager:');
    expect(loaderError(nested)).toMatch(/protocol\.race_stager: unknown field/);
    expect(problems('scenario', parse(nested))).toEqual(['/protocol must NOT have additional properties {"additionalProperty":"race_stager"}']);
  });

  it('offers the loader\'s choices', () => {
    const topology = schemaAt(['topology', 0]);
    expect(resolve(topology.properties?.kind as Schema).enum).toEqual([...TOPOLOGY_KINDS]);
    expect(resolve(topology.properties?.port_forward as Schema).enum).toEqual([...PORT_FORWARDS]);
    expect(resolve(topology.properties?.ipv6 as Schema).enum).toEqual([...IPV6_MODES]);
    expect(schemaAt(['topology', 0, 'nat', 'mapping']).enum).toEqual([...NAT_MAPPINGS]);
    expect(schemaAt(['topology', 0, 'nat', 'filtering']).enum).toEqual([...NAT_MAPPINGS]);
    expect(schemaAt(['relay_traffic_from']).enum).toEqual([...RELAY_TRAFFIC_MODES]);
    expect(schemaAt(['protocol', 'strategy']).enum).toEqual([...TRY_STRATEGIES]);
    expect(schemaAt(['relay', 'extensions', 0]).enum).toEqual([...SIM_EXTENSIONS]);
  });

  it('its class rules are the loader\'s: nat only behind a NAT, carrier_nat only on cgnat, a forward on a public host only through a firewall', () => {
    const classes = [
      '  - kind: public\n    share: 100%\n    nat: { mapping: endpoint-independent }\n',
      '  - kind: home-nat\n    share: 100%\n    carrier_nat: { mapping: endpoint-independent }\n',
      '  - kind: public\n    share: 100%\n    port_forward: upnp\n',
      '  - kind: ipv6-only\n    share: 100%\n    ipv6: none\n',
      '  - kind: public\n    share: 100%\n    peers_per_lan: 2\n',
    ];
    for (const c of classes) {
      const { loader, schema } = both(`name: c\npeers: 4\nduration: 1h\ntopology:\n${c}`);
      expect({ c, refused: [loader !== null, schema.length > 0] }).toEqual({ c, refused: [true, true] });
    }
    const fine = both('name: c\npeers: 4\nduration: 1h\ntopology:\n  - kind: public\n    share: 100%\n    port_forward: static\n    ipv6: firewalled\n  \n');
    expect(fine).toEqual({ loader: null, schema: [] });
  });
});

describe('the value grammars', () => {
  const duration = new RegExp(resolve({ $ref: '#/$defs/duration' }).anyOf?.[0]?.pattern as string, 'u');
  it.each(['250ms', '90s', '30m', '1min', '1h30m', '2d', '1.5h', ' 5s ', '0', '0.0', '000', '5', '1.5', '', 'ms', '5 s', '1h 30m', '-5s', '5sec', '1e3s', '1h30', 'h', '10M', '0ms'])('duration %j: the pattern agrees with the loader\'s grammar (bare numbers refused except 0)', (text) => {
    expect(duration.test(text)).toBe(parseDurationMs(text) !== null);
  });

  it('a YAML number is a duration only when it is 0', () => {
    const at = (value: string) => both(`name: d\npeers: 4\nduration: 1h\ntopology:\n  - { kind: public, share: 100% }\nlan_latency: ${value}\n`);
    expect(at('0')).toEqual({ loader: null, schema: [] });
    expect(at('5').loader).toMatch(/expected a duration/);
    expect(at('5').schema).not.toEqual([]);
  });

  const percent = new RegExp(resolve({ $ref: '#/$defs/percent' }).pattern as string, 'u');
  it.each(['40%', '0%', '100%', '100.0%', '99.5%', ' 7 %', '007%', '100.5%', '101%', '40', '%', '-5%', '4O%', '1e2%'])('percentage %j: the pattern agrees with the loader', (text) => {
    expect(percent.test(text)).toBe(parsePercent(text) !== null);
  });

  const assertion = new RegExp(resolve({ $ref: '#/$defs/assertion' }).pattern as string, 'u');
  it.each(['p95(time_to_connect_ms) < 6000', 'false_expiries == 0', ' max( expiry_gap_ms ) <= 1.5e3 ', 'stale_lookup_ratio < 0.01', 'count(lookup_latency_ms) > -1', 'p95(false_expiries) < 1', 'p42(time_to_connect_ms) < 1', 'time_to_connect_ms < 5', 'falsy == 0', 'false_expiries = 0', 'false_expiries == zero'])('assertion %j: the pattern agrees with the loader', (text) => {
    expect(assertion.test(text)).toBe(typeof parseAssertion(text) !== 'string');
  });

  it('the assertion pattern is built from the loader\'s metric and statistic lists', () => {
    const number = '-?\\d+(?:\\.\\d+)?(?:e-?\\d+)?';
    expect(resolve({ $ref: '#/$defs/assertion' }).pattern).toBe(`^\\s*(?:(?:${STATS.join('|')})\\(\\s*(?:${DISTRIBUTION_METRICS.join('|')})\\s*\\)|(?:${SCALAR_METRICS.join('|')}))\\s*(?:<=|>=|==|!=|<|>)\\s*${number}\\s*$`);
  });
});

function pick(value: unknown, path: ReadonlyArray<string | number>): Record<string, unknown> {
  let v = value as Record<string | number, unknown>;
  for (const part of path) v = v[part] as Record<string | number, unknown>;
  return v as Record<string, unknown>;
}
