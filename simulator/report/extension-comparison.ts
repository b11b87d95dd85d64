/**
 * A relay extension (SPEC EXT) on against off, on the same seed: how long
 * departed peers stay listed (graceful leaves and crashes apart) and what
 * lookups make of that (stale answers, connects to departed peers),
 * connect success overall and per (caller, callee) class pair, and relay
 * load.
 * Same seed means the same topology, arrivals and churn, so what differs
 * is what the extension does (and what it costs in relay requests).
 */
import { round3 } from '../measure/distribution.ts';
import type { SimExtension } from '../scenario/scenario.ts';
import type { Results } from './results.ts';
import { pairSide, type StrategySide } from './strategy-comparison.ts';

/** A listing statistic; null (never 0) where nobody departed that way. */
export interface ListedStats {
  count: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface ExtensionSide {
  /** What the relay offered in this run. */
  relay_extensions: string[];
  listed_after_leave_ms: ListedStats;
  listed_after_crash_ms: ListedStats;
  listed_after_departure_ms: ListedStats;
  connect_success_ratio: number | null;
  time_to_connect_p50_ms: number | null;
  /** Lookups answered with a departed peer or old addresses, per lookup that found someone; and connects begun to a departed peer. */
  stale_lookup_ratio: number | null;
  connects_to_dead_peers: number;
  relay_requests: number;
  /** Over the whole run, and in its busiest timeline bucket. */
  relay_requests_per_second: number;
  peak_relay_requests_per_second: number;
}

export interface ExtensionPairRow {
  caller: string;
  callee: string;
  without: StrategySide;
  with: StrategySide;
}

/** With less without; null where a side has no value. */
export interface ExtensionDifference {
  listed_after_leave_mean_ms: number | null;
  listed_after_crash_mean_ms: number | null;
  connect_success_ratio: number | null;
  relay_requests_per_second: number;
}

export interface ExtensionComparison {
  extension: SimExtension;
  seed: number;
  without: ExtensionSide;
  with: ExtensionSide;
  difference: ExtensionDifference;
  pairs: ExtensionPairRow[];
}

export function compareExtension(extension: SimExtension, without: Results, withIt: Results): ExtensionComparison {
  const a = sideOf(without);
  const b = sideOf(withIt);
  return {
    extension,
    seed: without.seed,
    without: a,
    with: b,
    difference: {
      listed_after_leave_mean_ms: minus(b.listed_after_leave_ms.mean_ms, a.listed_after_leave_ms.mean_ms, round3),
      listed_after_crash_mean_ms: minus(b.listed_after_crash_ms.mean_ms, a.listed_after_crash_ms.mean_ms, round3),
      connect_success_ratio: minus(b.connect_success_ratio, a.connect_success_ratio, (v) => Math.round(v * 1e6) / 1e6),
      relay_requests_per_second: round3(b.relay_requests_per_second - a.relay_requests_per_second),
    },
    pairs: pairsOf(without, withIt),
  };
}

function sideOf(r: Results): ExtensionSide {
  const d = r.distributions;
  const perSecond = r.timeline.relay_requests_per_second;
  return {
    relay_extensions: [...((r.options.relay_extensions as string[] | undefined) ?? [])],
    listed_after_leave_ms: listed(d.listed_after_leave_ms),
    listed_after_crash_ms: listed(d.listed_after_crash_ms),
    listed_after_departure_ms: listed(d.listed_after_departure_ms),
    connect_success_ratio: r.metrics.connect_success_ratio ?? null,
    time_to_connect_p50_ms: d.time_to_connect_ms?.p50 ?? null,
    stale_lookup_ratio: r.metrics.stale_lookup_ratio ?? null,
    connects_to_dead_peers: r.counters.connectsToDeadPeers,
    relay_requests: r.counters.relayRequests,
    relay_requests_per_second: round3((r.counters.relayRequests * 1000) / (r.options.duration_ms as number)),
    peak_relay_requests_per_second: perSecond.length === 0 ? 0 : Math.max(...perSecond),
  };
}

function listed(d: Results['distributions'][string] | undefined): ListedStats {
  return { count: d?.count ?? 0, mean_ms: d?.mean ?? null, p50_ms: d?.p50 ?? null, p95_ms: d?.p95 ?? null };
}

function minus(b: number | null, a: number | null, round: (v: number) => number): number | null {
  return a === null || b === null ? null : round(b - a);
}

function pairsOf(without: Results, withIt: Results): ExtensionPairRow[] {
  return without.pairs.map((pair, i) => {
    const other = withIt.pairs[i];
    if (other === undefined || other.caller !== pair.caller || other.callee !== pair.callee) throw new Error('the two runs have different topologies');
    return { caller: pair.caller, callee: pair.callee, without: pairSide(pair), with: pairSide(other) };
  });
}
