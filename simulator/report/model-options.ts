/**
 * What ran, for results.json and the report: every setting of the model
 * (two runs that differ in any setting must not give the same `options`),
 * and each setting that models behaviour the reference code does not
 * have, said as a hypothesis.
 */
import { natLabel, type NatBehaviour } from '../net/nat-behaviour.ts';
import type { Scenario, TopologyClass } from '../scenario/scenario.ts';
import { RELAY_KEEPALIVE_IDLE_MS } from '../world/relay-connections.ts';

export function modelOptions(s: Scenario): Record<string, unknown> {
  return {
    peers: s.peers,
    duration_ms: s.durationMs,
    join_spread_ms: s.joinSpreadMs,
    relay_traffic_from: s.relayTrafficFrom,
    unreachable: s.unreachable,
    lan_addressing: s.lanAddressing,
    lan_latency_ms: s.lanLatencyMs,
    link: { latency_ms: s.link.latencyMs, jitter_ms: s.link.jitterMs, loss: s.link.lossRatio },
    // null: an OS-chosen port per peer.
    server_port: s.serverPort,
    announce_public_address: s.announcePublicAddress,
    strategy: s.strategy,
    race_stagger_ms: s.staggerMs,
    heartbeat_interval_ms: s.heartbeatIntervalMs,
    ttl_seconds: s.ttlSeconds,
    attempt_timeout_ms: s.attemptTimeoutMs,
    request_timeout_ms: s.requestTimeoutMs,
    retry_delay_ms: s.retryDelayMs,
    address_check_interval_ms: s.addressCheckIntervalMs,
    lookups_per_peer_per_hour: s.lookupsPerPeerPerHour,
    friends_per_peer: s.friendsPerPeer,
    health_interval_ms: s.healthIntervalMs,
    churn: { joins_per_hour: s.churn.joinsPerHour, leaves_per_hour: s.churn.leavesPerHour, crashes_per_hour: s.churn.crashesPerHour, address_changes_per_hour: s.churn.addressChangesPerHour },
    heartbeat_loss: s.heartbeatLossRatio,
    heartbeat_blackouts: s.heartbeatBlackouts.map((b) => ({ at_ms: b.atMs, duration_ms: b.durationMs })),
    relay_store: s.relayStore,
    // What the relay offers (SPEC EXT); the reference peer uses each where offered.
    relay_extensions: [...s.relayExtensions],
    relay_outages: s.relayOutages.map((o) => ({ at_ms: o.atMs, duration_ms: o.durationMs })),
    relay_clock_skew_ms: s.relayClockSkewMs,
    peer_clock_skew_ms: s.peerClockSkewMs,
    topology: s.topology.map(topologyClassOf),
  };
}

/** Sentences for results.json's `hypotheses` and the report's header; empty when the run models the reference peer. */
export function hypothesesOf(s: Scenario): string[] {
  if (s.relayTrafficFrom !== 'shared-port-hypothesis') return [];
  return [
    'relay_traffic_from: shared-port-hypothesis. Peers send their relay traffic from their Peer Server port, so the NAT mapping each relay connection makes also lets others in, ' +
      `until the NAT's transitory timeout after the connection closes (RFC 5382; a connection per relay call, closed ${RELAY_KEEPALIVE_IDLE_MS / 1000} s after its answer as the reference client's keep-alive does). ` +
      'The reference peer does not do this (its relay client sends from ephemeral ports): what this run says about NATed peers without a port forward is about a peer we do not have.',
  ];
}

/** Everything that decides a class's reachability, so a pair's labels can be read back as NAT types. */
function topologyClassOf(t: TopologyClass): Record<string, unknown> {
  const out: Record<string, unknown> = { label: t.label, kind: t.kind, share_percent: t.sharePercent };
  if (t.kind === 'home-nat' || t.kind === 'cgnat') {
    out.nat = natOf(t.nat);
    if (t.kind === 'cgnat') out.carrier_nat = natOf(t.carrierNat);
    out.peers_per_lan = t.peersPerLan;
  }
  out.port_forward = t.portForward;
  out.ipv6 = t.ipv6;
  return out;
}

function natOf(b: NatBehaviour): Record<string, unknown> {
  return {
    type: natLabel(b),
    mapping: b.mapping,
    filtering: b.filtering,
    hairpinning: b.hairpinning,
    port_preservation: b.portPreservation,
    mapping_timeout_ms: b.mappingTimeoutMs,
    transitory_timeout_ms: b.transitoryTimeoutMs,
  };
}
