/**
 * results.json: everything a run measured, in a fixed key order, with no
 * wall-clock time, host name or version in it, so the same scenario and
 * seed give the same bytes. Schema: docs in simulator/README.md.
 */
import type { AddressKind } from '../../reference/shared/ip.ts';
import { compare, SCALAR_METRICS, type Assertion } from '../scenario/assertions.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { DistributionSummary } from '../measure/distribution.ts';
import type { Measurements } from '../measure/measurements.ts';
import type { StrategyComparisonRow } from './strategy-comparison.ts';
import { natLabel, type NatBehaviour } from '../net/nat-behaviour.ts';

export const RESULTS_SCHEMA = 'relaylab.simulator.results/1';

export interface AssertionResult {
  assertion: string;
  /** null when the statistic has no samples to be taken from. */
  value: number | null;
  passed: boolean;
  /** Why the assertion could not hold, when the value alone does not say. */
  note?: string;
}

export interface PairResult {
  caller: string;
  callee: string;
  tries: number;
  successes: number;
  success_ratio: number;
  attempts_until_success: DistributionSummary;
  time_to_connect_ms: DistributionSummary;
  winning_address_kinds: Partial<Record<AddressKind, number>>;
}

export interface Results {
  schema: string;
  scenario: string;
  file: string;
  seed: number;
  options: Record<string, unknown>;
  events_processed: number;
  counters: Measurements['counters'];
  metrics: Record<string, number>;
  distributions: Record<string, DistributionSummary>;
  pairs: PairResult[];
  timeline: { bucket_ms: number; relay_requests: number[]; relay_requests_per_second: number[]; live_broadcasts: number[] };
  try_order_violation_examples: string[];
  assertions: AssertionResult[];
  passed: boolean;
  /** Only with --compare-strategies: the same seed run with both try-order strategies. */
  strategy_comparison?: StrategyComparisonRow[];
}

export function buildResults(scenario: Scenario, m: Measurements, eventsProcessed: number): Results {
  const distributions: Record<string, DistributionSummary> = {
    time_to_connect_ms: m.timeToConnectMs.summary(),
    attempts_until_success: m.attemptsUntilSuccess.summary(),
    join_to_discoverable_ms: m.joinToDiscoverableMs.summary(),
    lookup_latency_ms: m.lookupLatencyMs.summary(),
    staleness_ms: m.stalenessMs.summary(),
  };
  const metrics: Record<string, number> = {};
  for (const name of METRIC_ORDER) metrics[name] = m.scalar(name);
  const assertions = scenario.assertions.map((a) => evaluate(a, metrics, distributions));
  return {
    schema: RESULTS_SCHEMA,
    scenario: scenario.name,
    file: scenario.file,
    seed: scenario.seed,
    options: optionsOf(scenario),
    events_processed: eventsProcessed,
    counters: { ...m.counters },
    metrics,
    distributions,
    pairs: pairsOf(scenario, m),
    timeline: {
      bucket_ms: m.bucketMs,
      relay_requests: [...m.relayRequestsPerBucket],
      relay_requests_per_second: m.relayRequestsPerBucket.map((n) => Math.round((n * 1000 * 1000) / m.bucketMs) / 1000),
      live_broadcasts: [...m.liveBroadcastsPerBucket],
    },
    try_order_violation_examples: [...m.violationExamples],
    assertions,
    passed: assertions.every((a) => a.passed),
  };
}

/** results.json lists scalar metrics in the order assertions know them. */
const METRIC_ORDER = SCALAR_METRICS;

function evaluate(a: Assertion, metrics: Record<string, number>, distributions: Record<string, DistributionSummary>): AssertionResult {
  if (a.stat === null) {
    const value = metrics[a.metric] as number;
    return { assertion: a.text, value, passed: compare(value, a.operator, a.threshold) };
  }
  const distribution = distributions[a.metric] as DistributionSummary;
  // A percentile of nothing is not 0: "p95(time_to_connect_ms) < 6000" must not hold when no connect succeeded.
  if (a.stat !== 'count' && distribution.count === 0) {
    return { assertion: a.text, value: null, passed: false, note: `${a.metric} has no samples in this run` };
  }
  const value = distribution[a.stat];
  return { assertion: a.text, value, passed: compare(value, a.operator, a.threshold) };
}

function pairsOf(scenario: Scenario, m: Measurements): PairResult[] {
  const out: PairResult[] = [];
  scenario.topology.forEach((caller, i) =>
    scenario.topology.forEach((callee, j) => {
      const pair = m.pair(i, j);
      const kinds: Partial<Record<AddressKind, number>> = {};
      for (const kind of [...pair.winningKinds.keys()].sort()) kinds[kind] = pair.winningKinds.get(kind) as number;
      out.push({
        caller: caller.label,
        callee: callee.label,
        tries: pair.tries,
        successes: pair.successes,
        success_ratio: pair.tries === 0 ? 0 : Math.round((pair.successes / pair.tries) * 1e6) / 1e6,
        attempts_until_success: pair.attemptsUntilSuccess.summary(),
        time_to_connect_ms: pair.timeToConnectMs.summary(),
        winning_address_kinds: kinds,
      });
    }),
  );
  return out;
}

function optionsOf(s: Scenario): Record<string, unknown> {
  return {
    peers: s.peers,
    duration_ms: s.durationMs,
    strategy: s.strategy,
    heartbeat_interval_ms: s.heartbeatIntervalMs,
    ttl_seconds: s.ttlSeconds,
    attempt_timeout_ms: s.attemptTimeoutMs,
    unreachable: s.unreachable,
    relay_store: s.relayStore,
    lookups_per_peer_per_hour: s.lookupsPerPeerPerHour,
    topology: s.topology.map(topologyClassOf),
  };
}

/** Everything that decides a class's reachability, so a pair's labels can be read back as NAT types. */
function topologyClassOf(t: Scenario['topology'][number]): Record<string, unknown> {
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
  return { type: natLabel(b), mapping: b.mapping, filtering: b.filtering, hairpinning: b.hairpinning, port_preservation: b.portPreservation, mapping_timeout_ms: b.mappingTimeoutMs };
}
