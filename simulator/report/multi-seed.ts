/**
 * Several seeds of one scenario: each scalar metric's mean with a 95%
 * confidence interval (Student's t on the per-seed values). A seed where
 * the metric has no value (a ratio over nothing, a percentile of no
 * samples) is left out of the mean, not counted as 0, and the note says so.
 */
import type { Results } from './results.ts';

export interface SeedMetric {
  metric: string;
  /** Over the seeds where the metric has a value; null when none has one. */
  mean: number | null;
  /** Half-width of the 95% confidence interval; null when no seed has a value. */
  ci95: number | null;
  /** One per seed, null where that seed had nothing to measure. */
  values: Array<number | null>;
  /** Which seeds had no value, and why. */
  note?: string;
}

const P95_CONNECT = 'p95(time_to_connect_ms)';

/** results.json of a --seeds K run: this summary first, then `runs` (schemas/simulator-multi-seed.schema.json). */
export const MULTI_SEED_SCHEMA = 'relaylab.simulator.multi-seed/1';

export interface MultiSeedSummary {
  schema: string;
  seeds: number[];
  metrics: SeedMetric[];
  /** null: not judged (a partial run). */
  passed: boolean | null;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function summariseSeeds(runs: Results[]): MultiSeedSummary {
  const names = Object.keys(runs[0]?.metrics ?? {});
  const metrics = [...names, P95_CONNECT].map((metric) => seedMetric(metric, runs));
  return { schema: MULTI_SEED_SCHEMA, seeds: runs.map((r) => r.seed), metrics, passed: runs.some((r) => r.passed === null) ? null : runs.every((r) => r.passed) };
}

function seedMetric(metric: string, runs: Results[]): SeedMetric {
  const values = runs.map((r) => valueIn(r, metric));
  const present = values.filter((v): v is number => v !== null);
  const summary = { metric, ...meanWithInterval(present), values };
  const missing = runs.filter((_, i) => values[i] === null);
  if (missing.length === 0) return summary;
  const why = whyNoValue(missing[0] as Results, metric);
  const note = present.length === 0 ? `no value in any seed: ${why}` : `no value in seed ${missing.map((r) => r.seed).join(', ')} (${why}); ${present.length === 1 ? 'mean of the other one (one value: no interval)' : `mean and CI over the other ${present.length}`}`;
  return { ...summary, note };
}

function valueIn(run: Results, metric: string): number | null {
  return metric === P95_CONNECT ? (run.distributions.time_to_connect_ms?.p95 ?? null) : (run.metrics[metric] ?? null);
}

function whyNoValue(run: Results, metric: string): string {
  return metric === P95_CONNECT ? 'no connect succeeded' : (run.metric_notes[metric] ?? 'nothing to measure');
}

export function meanWithInterval(values: number[]): { mean: number | null; ci95: number | null } {
  const n = values.length;
  if (n === 0) return { mean: null, ci95: null };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  // One value has no spread to estimate: no interval, not a made-up ±0.
  if (n === 1) return { mean: round(mean), ci95: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const t = T_975[n - 2] ?? 1.96;
  return { mean: round(mean), ci95: round((t * Math.sqrt(variance)) / Math.sqrt(n)) };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
