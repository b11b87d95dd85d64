/**
 * results.json: everything a run measured, in a fixed key order, with no
 * wall-clock time, host name or version in it, so the same scenario and
 * seed give the same bytes. Schema: docs in simulator/README.md.
 */
import type { AddressKind } from '../../reference/shared/ip.ts';
import { compare, SCALAR_METRICS, type Assertion } from '../scenario/assertions.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { DistributionSummary } from '../measure/distribution.ts';
import type { InvariantExample } from '../measure/invariant-examples.ts';
import { MAX_GAP_WINDOWS, ratio, type ExpiryGap, type Measurements } from '../measure/measurements.ts';
import type { StrategyComparisonRow } from './strategy-comparison.ts';
import type { ExtensionComparison } from './extension-comparison.ts';
import { hypothesesOf, modelOptions } from './model-options.ts';

/** 2: ratios and statistics over nothing are null with a note (were 0); every model setting in `options`; `hypotheses`. */
export const RESULTS_SCHEMA = 'relaylab.simulator.results/2';

/** What a run stopped early says of its assertions: nothing. Its numbers cover only the span that ran, so none is judged. */
export function unjudged(r: Results): Results {
  return { ...r, passed: null, assertions: r.assertions.map((a) => ({ ...a, passed: null, note: `not judged: the run was stopped early${a.note ? `; ${a.note}` : ''}` })) };
}

export interface AssertionResult {
  assertion: string;
  /** null when the statistic has no samples to be taken from, or the ratio nothing to divide. */
  value: number | null;
  /** null: not judged, because the run was stopped early (Ctrl-C) and an assertion holds or fails over a whole run only. */
  passed: boolean | null;
  /** Why the assertion could not hold, when the value alone does not say. */
  note?: string;
}

export interface PairResult {
  caller: string;
  callee: string;
  tries: number;
  successes: number;
  /** null with no tries (then `note` says so). */
  success_ratio: number | null;
  note?: string;
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
  /** Each model setting of this run that is not what the reference code does, said in a sentence; empty when none. */
  hypotheses: string[];
  events_processed: number;
  counters: Measurements['counters'];
  metrics: Record<string, number | null>;
  /** Why a metric is null (a ratio with nothing to divide), by metric name. */
  metric_notes: Record<string, string>;
  distributions: Record<string, DistributionSummary>;
  pairs: PairResult[];
  timeline: { bucket_ms: number; relay_requests: number[]; relay_requests_per_second: number[]; live_broadcasts: number[] };
  try_order_violation_examples: string[];
  /** Every window in which a live peer was not listed: how many, and the first ones in full. */
  expiry_gaps: { count: number; windows: ExpiryGap[]; note?: string };
  /** Up to ten verbatim examples per broken invariant (by metric name); an invariant nothing broke is absent. */
  invariant_examples: Record<string, InvariantExample[]>;
  assertions: AssertionResult[];
  /** null: not judged (a partial run). */
  passed: boolean | null;
  /** Only with --compare-strategies: the same seed run with both try-order strategies. */
  strategy_comparison?: StrategyComparisonRow[];
  /** Only with --compare-extensions: per extension, the same seed run with and without it. */
  extension_comparison?: ExtensionComparison[];
}

export function buildResults(scenario: Scenario, m: Measurements, eventsProcessed: number): Results {
  const distributions: Record<string, DistributionSummary> = {
    time_to_connect_ms: m.timeToConnectMs.summary(),
    attempts_until_success: m.attemptsUntilSuccess.summary(),
    join_to_discoverable_ms: m.joinToDiscoverableMs.summary(),
    lookup_latency_ms: m.lookupLatencyMs.summary(),
    staleness_ms: m.stalenessMs.summary(),
    listed_after_departure_ms: m.listedAfterDepartureMs.summary(),
    listed_after_crash_ms: m.listedAfterCrashMs.summary(),
    listed_after_leave_ms: m.listedAfterLeaveMs.summary(),
    expiry_gap_ms: m.expiryGapMs.summary(),
  };
  const metrics: Record<string, number | null> = {};
  const notes: Record<string, string> = {};
  for (const name of METRIC_ORDER) {
    metrics[name] = m.scalar(name);
    const note = m.emptyNote(name);
    if (note !== null) notes[name] = note;
  }
  const assertions = scenario.assertions.map((a) => evaluate(a, metrics, notes, distributions));
  return {
    schema: RESULTS_SCHEMA,
    scenario: scenario.name,
    file: scenario.file,
    seed: scenario.seed,
    options: modelOptions(scenario),
    hypotheses: hypothesesOf(scenario),
    events_processed: eventsProcessed,
    counters: { ...m.counters },
    metrics,
    metric_notes: notes,
    distributions,
    pairs: pairsOf(scenario, m),
    timeline: {
      bucket_ms: m.bucketMs,
      relay_requests: [...m.relayRequestsPerBucket],
      relay_requests_per_second: m.relayRequestsPerBucket.map((n) => Math.round((n * 1000 * 1000) / m.bucketMs) / 1000),
      live_broadcasts: [...m.liveBroadcastsPerBucket],
    },
    try_order_violation_examples: [...m.violationExamples],
    expiry_gaps: expiryGapsOf(m),
    invariant_examples: m.invariantExamples.toJSON(),
    assertions,
    passed: assertions.every((a) => a.passed),
  };
}

function expiryGapsOf(m: Measurements): Results['expiry_gaps'] {
  const count = m.counters.expiryGaps;
  const windows = m.expiryGapWindows.map((w) => ({ ...w }));
  return count > windows.length ? { count, windows, note: `the first ${MAX_GAP_WINDOWS} of ${count} windows; expiry_gap_ms covers all` } : { count, windows };
}

/** results.json lists scalar metrics in the order assertions know them. */
const METRIC_ORDER = SCALAR_METRICS;

function evaluate(a: Assertion, metrics: Record<string, number | null>, notes: Record<string, string>, distributions: Record<string, DistributionSummary>): AssertionResult {
  if (a.stat === null) {
    const value = metrics[a.metric] ?? null;
    // A ratio over nothing is not 0: "stale_lookup_ratio < 0.01" must not hold when no lookup found anyone.
    if (value === null) return { assertion: a.text, value: null, passed: false, note: `${a.metric} has no value in this run: ${notes[a.metric] ?? 'nothing to divide'}` };
    return { assertion: a.text, value, passed: compare(value, a.operator, a.threshold) };
  }
  const distribution = distributions[a.metric] as DistributionSummary;
  // A percentile of nothing is not 0: "p95(time_to_connect_ms) < 6000" must not hold when no connect succeeded.
  const value = distribution[a.stat];
  if (value === null) return { assertion: a.text, value: null, passed: false, note: `${a.metric} has no samples in this run` };
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
        success_ratio: ratio(pair.successes, pair.tries),
        ...(pair.tries === 0 ? { note: 'no tries' } : {}),
        attempts_until_success: pair.attemptsUntilSuccess.summary(),
        time_to_connect_ms: pair.timeToConnectMs.summary(),
        winning_address_kinds: kinds,
      });
    }),
  );
  return out;
}
