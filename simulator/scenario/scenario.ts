/** What a scenario file describes, after validation, in milliseconds and ratios. */
import type { TryStrategy } from '../../reference/peer/core/try-order.ts';
import type { RelayExtension } from '../../reference/relay/core/types.ts';
import type { LinkProfile } from '../net/link.ts';
import type { NatBehaviour } from '../net/nat-behaviour.ts';
import type { UnreachableMode } from '../net/network.ts';
import type { Assertion } from './assertions.ts';

export type TopologyKind = 'home-nat' | 'cgnat' | 'public' | 'ipv6-only';
export const TOPOLOGY_KINDS: readonly TopologyKind[] = ['home-nat', 'cgnat', 'public', 'ipv6-only'];
export type PortForward = 'none' | 'static' | 'upnp';
export const PORT_FORWARDS: readonly PortForward[] = ['none', 'static', 'upnp'];
/** `none`: no IPv6; `open`: global IPv6, no firewall; `firewalled`: stateful inbound firewall. */
export type Ipv6Mode = 'none' | 'open' | 'firewalled';
export const IPV6_MODES: readonly Ipv6Mode[] = ['none', 'open', 'firewalled'];
/**
 * Where a peer's relay traffic leaves from. `ephemeral`: a fresh port per
 * connection, as the reference peer's relay client does (the default).
 * `shared-port-hypothesis`: its Peer Server port, so the NAT mapping the
 * relay connection makes is also a way in: a peer we do not have, run only
 * as a labelled hypothesis.
 */
export type RelayTrafficFrom = 'ephemeral' | 'shared-port-hypothesis';
export const RELAY_TRAFFIC_MODES: readonly RelayTrafficFrom[] = ['ephemeral', 'shared-port-hypothesis'];

/**
 * The relay extensions (SPEC EXT) a scenario can have the relay offer. Not
 * `renew`: simulated certificates never expire, so a simulated peer never
 * renews and offering it would change nothing.
 */
export type SimExtension = Extract<RelayExtension, 'goodbye' | 'observed-address'>;
export const SIM_EXTENSIONS: readonly SimExtension[] = ['goodbye', 'observed-address'];

export interface TopologyClass {
  /** Label in reports and the NAT x NAT matrix. */
  label: string;
  kind: TopologyKind;
  sharePercent: number;
  /** The home router (home-nat, cgnat). */
  nat: NatBehaviour;
  /** The carrier's box (cgnat only). */
  carrierNat: NatBehaviour;
  portForward: PortForward;
  ipv6: Ipv6Mode;
  /** Peers sharing one LAN (same-lan puts several behind one router). */
  peersPerLan: number;
}

export interface ChurnRates {
  /** Each a fraction of the peer count per hour. */
  joinsPerHour: number;
  leavesPerHour: number;
  crashesPerHour: number;
  addressChangesPerHour: number;
}

export interface RelayOutage {
  atMs: number;
  durationMs: number;
}

/** A span in which every heartbeat any peer sends is dropped (as heartbeat_loss drops one), [atMs, atMs + durationMs). */
export type HeartbeatBlackout = RelayOutage;

export interface Scenario {
  file: string;
  name: string;
  seed: number;
  peers: number;
  durationMs: number;
  /** The initial peers start at uniform times over this span (a spread equal to the heartbeat interval mimics a long-running population). */
  joinSpreadMs: number;
  topology: TopologyClass[];
  /** `overlapping`: every LAN is 192.168.1.0/24; `distinct`: each LAN gets its own 10.x.y.0/24. */
  lanAddressing: 'overlapping' | 'distinct';
  link: LinkProfile;
  lanLatencyMs: number;
  unreachable: UnreachableMode;
  relayTrafficFrom: RelayTrafficFrom;
  /** The Peer Server port: null means OS-chosen (random per peer), a number means every peer uses it (an app default). */
  serverPort: number | null;
  /** Whether peers announce the public address their traffic appears from (as if learned and passed as --public-address). */
  announcePublicAddress: boolean;
  heartbeatIntervalMs: number;
  ttlSeconds: number;
  attemptTimeoutMs: number;
  strategy: TryStrategy;
  staggerMs: number;
  requestTimeoutMs: number;
  /** How long the peer waits before retrying a relay call that failed or timed out (the reference lifecycle's retryDelayMs). */
  retryDelayMs: number;
  /** How often a peer re-reads its addresses (a re-ready follows a change). */
  addressCheckIntervalMs: number;
  lookupsPerPeerPerHour: number;
  friendsPerPeer: number;
  healthIntervalMs: number;
  churn: ChurnRates;
  heartbeatLossRatio: number;
  heartbeatBlackouts: HeartbeatBlackout[];
  relayStore: 'memory' | 'durable';
  /** What the relay offers (its health `extensions`), in SIM_EXTENSIONS order; none by default. */
  relayExtensions: SimExtension[];
  relayOutages: RelayOutage[];
  relayClockSkewMs: number;
  peerClockSkewMs: number;
  assertions: Assertion[];
}
