/**
 * Reads and validates a scenario YAML file into a Scenario. Every problem
 * is a ScenarioError naming file, line and field. Defaults follow the
 * protocol: heartbeat 30 min, TTL 1 h, 5 s attempts, 250 ms race stagger.
 */
import { TRY_STRATEGIES } from '../../reference/peer/core/try-order.ts';
import { DEFAULT_RETRY_DELAY_MS } from '../../reference/peer/core/peer-lifecycle.ts';
import { NAT_MAPPINGS, natLabel, TCP_ESTABLISHED_TIMEOUT_MS, TCP_TRANSITORY_TIMEOUT_MS, type NatBehaviour } from '../net/nat-behaviour.ts';
import { parseAssertion, type Assertion } from './assertions.ts';
import { checkScenarioLimits } from './scenario-limits.ts';
import { FieldReader, type Path } from './field-reader.ts';
import { IPV6_MODES, PORT_FORWARDS, RELAY_TRAFFIC_MODES, SIM_EXTENSIONS, TOPOLOGY_KINDS, type ChurnRates, type RelayOutage, type RelayTrafficFrom, type Scenario, type SimExtension, type TopologyClass } from './scenario.ts';

const TOP_LEVEL = ['name', 'seed', 'peers', 'duration', 'join_spread', 'topology', 'lan_addressing', 'link', 'lan_latency', 'unreachable', 'relay_traffic_from', 'server_port', 'announce_public_address', 'protocol', 'traffic', 'churn', 'faults', 'relay', 'peer_clock_skew', 'assertions'];
const MAX_PEERS = 10_000_000;

export function parseScenario(file: string, text: string): Scenario {
  const r = FieldReader.parse(file, text);
  r.onlyKeys([], TOP_LEVEL);
  const durationMs = r.durationMs(['duration'], undefined, 1000);
  const scenario: Scenario = {
    file,
    name: r.string(['name'], undefined),
    seed: r.number(['seed'], 1, { integer: true, min: 0, max: 0xffff_ffff }),
    peers: r.number(['peers'], undefined, { integer: true, min: 2, max: MAX_PEERS }),
    durationMs,
    joinSpreadMs: r.durationMs(['join_spread'], 60_000),
    topology: readTopology(r),
    lanAddressing: r.choice(['lan_addressing'], ['overlapping', 'distinct'], 'overlapping'),
    link: readLink(r),
    lanLatencyMs: r.durationMs(['lan_latency'], 1),
    unreachable: r.choice(['unreachable'], ['drop', 'reject'], 'drop'),
    relayTrafficFrom: readRelayTrafficFrom(r),
    serverPort: readServerPort(r),
    announcePublicAddress: r.boolean(['announce_public_address'], true),
    ...readProtocol(r),
    ...readTraffic(r),
    churn: readChurn(r),
    ...readFaults(r, durationMs),
    ...readRelay(r, durationMs),
    peerClockSkewMs: r.durationMs(['peer_clock_skew'], 0),
    assertions: readAssertions(r),
  };
  if (scenario.ttlSeconds * 1000 <= scenario.heartbeatIntervalMs) {
    r.fail(['protocol', 'ttl'], `must exceed the heartbeat interval (${scenario.heartbeatIntervalMs / 1000} s), or every live peer expires`);
  }
  checkScenarioLimits(scenario, 'file');
  return scenario;
}

/**
 * `server-port` was the default and meant a peer the reference code is
 * not, with a NAT mapping kept 2 h 4 min. It is refused rather than taken
 * as an alias: a file naming it would silently get another NAT lifetime,
 * and its reader would not see that it runs a hypothesis.
 */
function readRelayTrafficFrom(r: FieldReader): RelayTrafficFrom {
  const path = ['relay_traffic_from'];
  if (r.raw(path) === 'server-port') {
    r.fail(path, '"server-port" is gone: the reference peer sends relay traffic from ephemeral ports. Write ephemeral (the reference peer, the default) or shared-port-hypothesis (relay traffic from the Peer Server port, a labelled hypothesis whose NAT mapping ends 4 min after the relay connection closes, per RFC 5382, not 2 h 4 min later)');
  }
  return r.choice(path, RELAY_TRAFFIC_MODES, 'ephemeral');
}

function readServerPort(r: FieldReader): number | null {
  if (!r.has(['server_port'])) return null;
  return r.number(['server_port'], undefined, { integer: true, min: 1, max: 65535 });
}

function readTopology(r: FieldReader): TopologyClass[] {
  const count = r.sequenceLength(['topology'], true);
  if (count === 0) r.fail(['topology'], 'needs at least one class');
  const classes: TopologyClass[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const path: Path = ['topology', i];
    r.onlyKeys(path, ['kind', 'share', 'label', 'nat', 'carrier_nat', 'port_forward', 'ipv6', 'peers_per_lan']);
    const kind = r.choice([...path, 'kind'], TOPOLOGY_KINDS, undefined);
    const nat = readNat(r, [...path, 'nat'], { portPreservation: true });
    const carrierNat = readNat(r, [...path, 'carrier_nat'], { portPreservation: false });
    const sharePercent = r.percent([...path, 'share']);
    total += sharePercent;
    classes.push({
      label: r.string([...path, 'label'], defaultLabel(kind, nat)),
      kind,
      sharePercent,
      nat,
      carrierNat,
      portForward: r.choice([...path, 'port_forward'], PORT_FORWARDS, 'none'),
      ipv6: r.choice([...path, 'ipv6'], IPV6_MODES, kind === 'ipv6-only' ? 'firewalled' : 'none'),
      // Hosts take .10 to .254 of their /24.
      peersPerLan: r.number([...path, 'peers_per_lan'], 1, { integer: true, min: 1, max: MAX_PEERS_PER_LAN }),
    });
    checkClassFields(r, path, classes[i] as TopologyClass);
    const label = classes[i]?.label;
    if (classes.findIndex((c) => c.label === label) !== i) r.fail([...path, 'label'], `"${label}" names two classes; give each a distinct label`);
    if (kind === 'ipv6-only' && classes[i]?.ipv6 === 'none') r.fail([...path, 'ipv6'], 'an ipv6-only class needs ipv6: open or firewalled');
  }
  if (Math.abs(total - 100) > 1e-9) r.fail(['topology'], `shares add up to ${total}%, not 100%`);
  return classes;
}

const MAX_PEERS_PER_LAN = 245;

/** Fields a class of this kind would silently ignore are refused, so nobody reads results for a setting that never applied. */
function checkClassFields(r: FieldReader, path: Path, c: TopologyClass): void {
  const behindNat = c.kind === 'home-nat' || c.kind === 'cgnat';
  for (const field of ['nat', 'peers_per_lan']) {
    if (!behindNat && r.has([...path, field])) r.fail([...path, field], `a ${c.kind} class has no NAT or LAN; only home-nat and cgnat classes take ${field}`);
  }
  if (c.kind !== 'cgnat' && r.has([...path, 'carrier_nat'])) r.fail([...path, 'carrier_nat'], `only a cgnat class has a carrier NAT (this class is ${c.kind})`);
  if (!behindNat && c.portForward !== 'none' && c.ipv6 !== 'firewalled') {
    r.fail([...path, 'port_forward'], `a ${c.kind} class has no NAT and no IPv6 firewall to forward through (port_forward opens a pinhole only with ipv6: firewalled)`);
  }
}

function defaultLabel(kind: string, nat: NatBehaviour): string {
  return kind === 'home-nat' || kind === 'cgnat' ? `${kind} ${natLabel(nat)}` : kind;
}

function readNat(r: FieldReader, path: Path, defaults: { portPreservation: boolean }): NatBehaviour {
  r.onlyKeys(path, ['mapping', 'filtering', 'hairpinning', 'port_preservation', 'mapping_timeout', 'transitory_timeout']);
  return {
    mapping: r.choice([...path, 'mapping'], NAT_MAPPINGS, 'endpoint-independent'),
    filtering: r.choice([...path, 'filtering'], NAT_MAPPINGS, 'address-and-port-dependent'),
    hairpinning: r.boolean([...path, 'hairpinning'], true),
    portPreservation: r.boolean([...path, 'port_preservation'], defaults.portPreservation),
    mappingTimeoutMs: r.durationMs([...path, 'mapping_timeout'], TCP_ESTABLISHED_TIMEOUT_MS, 1000),
    transitoryTimeoutMs: r.durationMs([...path, 'transitory_timeout'], TCP_TRANSITORY_TIMEOUT_MS, 1000),
  };
}

function readLink(r: FieldReader): Scenario['link'] {
  r.onlyKeys(['link'], ['latency', 'jitter', 'loss']);
  return { latencyMs: r.durationMs(['link', 'latency'], 20), jitterMs: r.durationMs(['link', 'jitter'], 5), lossRatio: r.ratio(['link', 'loss'], 0) };
}

function readProtocol(r: FieldReader): Pick<Scenario, 'heartbeatIntervalMs' | 'ttlSeconds' | 'attemptTimeoutMs' | 'strategy' | 'staggerMs' | 'requestTimeoutMs' | 'retryDelayMs' | 'addressCheckIntervalMs'> {
  const p = ['protocol'];
  r.onlyKeys(p, ['heartbeat_interval', 'ttl', 'attempt_timeout', 'strategy', 'race_stagger', 'request_timeout', 'retry_delay', 'address_check_interval']);
  const ttlMs = r.durationMs([...p, 'ttl'], 3_600_000, 1000);
  if (ttlMs % 1000 !== 0) r.fail([...p, 'ttl'], 'must be whole seconds (the relay speaks seconds)');
  return {
    heartbeatIntervalMs: r.durationMs([...p, 'heartbeat_interval'], 30 * 60_000, 1000),
    ttlSeconds: ttlMs / 1000,
    attemptTimeoutMs: r.durationMs([...p, 'attempt_timeout'], 5000, 1),
    strategy: r.choice([...p, 'strategy'], TRY_STRATEGIES, 'sequential'),
    staggerMs: r.durationMs([...p, 'race_stagger'], 250, 1),
    requestTimeoutMs: r.durationMs([...p, 'request_timeout'], 30_000, 1),
    // The reference lifecycle's DEFAULT_RETRY_DELAY_MS. At least 1 s, as heartbeat_interval: shorter is an event storm while the relay is down, not a policy anyone ships.
    retryDelayMs: r.durationMs([...p, 'retry_delay'], DEFAULT_RETRY_DELAY_MS, 1000),
    addressCheckIntervalMs: r.durationMs([...p, 'address_check_interval'], 60_000, 1000),
  };
}

function readTraffic(r: FieldReader): Pick<Scenario, 'lookupsPerPeerPerHour' | 'friendsPerPeer' | 'healthIntervalMs'> {
  const p = ['traffic'];
  r.onlyKeys(p, ['lookups_per_peer_per_hour', 'friends_per_peer', 'health_interval']);
  return {
    lookupsPerPeerPerHour: r.number([...p, 'lookups_per_peer_per_hour'], 4, { min: 0, max: 3600 }),
    friendsPerPeer: r.number([...p, 'friends_per_peer'], 0, { integer: true, min: 0, max: 100 }),
    healthIntervalMs: r.durationMs([...p, 'health_interval'], 60_000, 1000),
  };
}

function readChurn(r: FieldReader): ChurnRates {
  const p = ['churn'];
  r.onlyKeys(p, ['joins_per_hour', 'leaves_per_hour', 'crashes_per_hour', 'address_changes_per_hour']);
  return {
    joinsPerHour: r.ratio([...p, 'joins_per_hour'], 0),
    leavesPerHour: r.ratio([...p, 'leaves_per_hour'], 0),
    crashesPerHour: r.ratio([...p, 'crashes_per_hour'], 0),
    addressChangesPerHour: r.ratio([...p, 'address_changes_per_hour'], 0),
  };
}

function readFaults(r: FieldReader, durationMs: number): Pick<Scenario, 'heartbeatLossRatio' | 'heartbeatBlackouts'> {
  r.onlyKeys(['faults'], ['heartbeat_loss', 'heartbeat_blackouts']);
  return { heartbeatLossRatio: r.ratio(['faults', 'heartbeat_loss'], 0), heartbeatBlackouts: readWindows(r, ['faults', 'heartbeat_blackouts'], durationMs, 'blackout') };
}

function readRelay(r: FieldReader, durationMs: number): Pick<Scenario, 'relayStore' | 'relayExtensions' | 'relayOutages' | 'relayClockSkewMs'> {
  const p = ['relay'];
  r.onlyKeys(p, ['store', 'extensions', 'outages', 'clock_skew']);
  return {
    relayStore: r.choice([...p, 'store'], ['memory', 'durable'], 'memory'),
    relayExtensions: readExtensions(r, [...p, 'extensions']),
    relayOutages: readWindows(r, [...p, 'outages'], durationMs, 'outage'),
    relayClockSkewMs: r.durationMs([...p, 'clock_skew'], 0),
  };
}

/** A list of extension names, each once; kept in SIM_EXTENSIONS order so two spellings of one set give the same run and `options`. */
function readExtensions(r: FieldReader, path: Path): SimExtension[] {
  const named: SimExtension[] = [];
  const count = r.sequenceLength(path, false);
  for (let i = 0; i < count; i++) {
    if (r.raw([...path, i]) === 'renew') r.fail([...path, i], 'renew is not simulated: simulated certificates never expire, so no peer would renew (known: goodbye, observed-address)');
    const name = r.choice([...path, i], SIM_EXTENSIONS, undefined);
    if (named.includes(name)) r.fail([...path, i], `${name} is listed twice`);
    named.push(name);
  }
  return SIM_EXTENSIONS.filter((e) => named.includes(e));
}

/** `[{at, duration}, ...]` in time order, each starting before the run ends and none overlapping the one before. */
function readWindows(r: FieldReader, path: Path, durationMs: number, what: string): RelayOutage[] {
  const windows: RelayOutage[] = [];
  const count = r.sequenceLength(path, false);
  for (let i = 0; i < count; i++) {
    const at: Path = [...path, i];
    r.onlyKeys(at, ['at', 'duration']);
    const window = { atMs: r.durationMs([...at, 'at'], undefined), durationMs: r.durationMs([...at, 'duration'], 0) };
    if (window.atMs >= durationMs) r.fail([...at, 'at'], 'is after the end of the run');
    const previous = windows[windows.length - 1];
    if (previous && window.atMs < previous.atMs + previous.durationMs) r.fail([...at, 'at'], `overlaps the previous ${what} (list them in time order)`);
    windows.push(window);
  }
  return windows;
}

function readAssertions(r: FieldReader): Assertion[] {
  const count = r.sequenceLength(['assertions'], false);
  const out: Assertion[] = [];
  for (let i = 0; i < count; i++) {
    const parsed = parseAssertion(r.string(['assertions', i], undefined));
    if (typeof parsed === 'string') r.fail(['assertions', i], parsed);
    out.push(parsed);
  }
  return out;
}
