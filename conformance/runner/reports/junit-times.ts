/**
 * junit.xml times that add up to the run. JUnit consumers total a run by
 * adding times up: GitLab sums the testcases, Jenkins the testsuites. Cases
 * run concurrently, so their own durations add up to more than the wall
 * time (6 at once: about 6x). Each testcase's `time` is therefore its share
 * of the run's wall time: every millisecond is divided evenly among the
 * cases in flight during it. Alone, a case's share is its duration. What no
 * case was in flight for (the pre-flight probes, reruns alone, teardown) is
 * the remainder, given to one explicit setup/teardown testcase; the case's
 * own duration stays in a property. All in whole milliseconds, so the sums
 * in the file are exact: Σ testcases = Σ testsuites = <testsuites time> =
 * the run's wall time.
 *
 * When a case ran: `startedAtMs` (epoch ms its recorded attempt began),
 * which the runner records; in files written before it did, its recorded exchanges end it
 * (the last response) and its duration reaches back from there. A case with
 * neither (a skip decided without a request) has no share.
 */
import type { CaseResult, SuiteResult } from '../types.ts';

export interface JunitTimes {
  /** Each case's share of the wall time, whole ms, by index in result.cases. */
  shareMs: number[];
  /** Wall time no case was in flight for: the setup/teardown testcase. */
  remainderMs: number;
  wallMs: number;
  /** How the case intervals were found, for the file's comment. */
  source: 'startedAtMs' | 'exchanges' | 'none';
}

export function junitTimes(result: SuiteResult): JunitTimes {
  const wallMs = Math.max(0, Math.round(result.durationMs));
  const runStart = Date.parse(result.startedAt);
  const intervals = result.cases.map((c) => clamp(intervalOf(c), runStart, runStart + wallMs));
  const shares = evenShares(intervals);
  const shareMs = largestRemainder(shares);
  const total = shareMs.reduce((sum, n) => sum + n, 0);
  const source = result.cases.some((c) => typeof startedAtOf(c) === 'number') ? 'startedAtMs' : result.cases.some((c) => c.exchanges.length > 0) ? 'exchanges' : 'none';
  return { shareMs, remainderMs: Math.max(0, wallMs - total), wallMs, source };
}

type Interval = readonly [number, number] | null;

// Results from before startedAtMs existed (schema 2 files on disk) lack it: exchanges estimate it instead.
const startedAtOf = (c: CaseResult): unknown => c.startedAtMs;

function intervalOf(c: CaseResult): Interval {
  const started = startedAtOf(c);
  if (typeof started === 'number' && Number.isFinite(started)) return [started, started + c.durationMs];
  if (c.exchanges.length === 0) return null;
  const end = Math.max(...c.exchanges.map((e) => e.startedAtMs + e.durationMs));
  return [end - c.durationMs, end];
}

function clamp(interval: Interval, from: number, to: number): Interval {
  if (interval === null || Number.isNaN(from)) return interval;
  const start = Math.max(from, interval[0]);
  const end = Math.min(to, interval[1]);
  return end > start ? [start, end] : null;
}

/** Sweeps the intervals: each stretch of time is split evenly among the intervals covering it. */
export function evenShares(intervals: Interval[]): number[] {
  const shares = intervals.map(() => 0);
  const points = [...new Set(intervals.flatMap((i) => (i ? [i[0], i[1]] : [])))].sort((a, b) => a - b);
  for (let p = 0; p + 1 < points.length; p += 1) {
    const from = points[p] as number;
    const to = points[p + 1] as number;
    const active = intervals.flatMap((i, index) => (i && i[0] <= from && i[1] >= to ? [index] : []));
    for (const index of active) shares[index] = (shares[index] ?? 0) + (to - from) / active.length;
  }
  return shares;
}

/** Whole milliseconds that sum to the rounded total (Hamilton's method), so no rounding drift reaches the sums. */
export function largestRemainder(values: number[]): number[] {
  const floors = values.map(Math.floor);
  let missing = Math.round(values.reduce((sum, v) => sum + v, 0)) - floors.reduce((sum, v) => sum + v, 0);
  const order = values.map((v, i) => ({ i, rest: v - Math.floor(v) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (missing <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    missing -= 1;
  }
  return floors;
}
