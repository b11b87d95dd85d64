/**
 * Several seeds of one scenario: each scalar metric's mean with a 95%
 * confidence interval (Student's t on the per-seed values).
 */
import type { Results } from './results.ts';

export interface SeedMetric {
  metric: string;
  mean: number;
  /** Half-width of the 95% confidence interval. */
  ci95: number;
  values: number[];
}

export interface MultiSeedSummary {
  seeds: number[];
  metrics: SeedMetric[];
  passed: boolean;
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function summariseSeeds(runs: Results[]): MultiSeedSummary {
  const names = Object.keys(runs[0]?.metrics ?? {});
  const extra = ['p95(time_to_connect_ms)'];
  const metrics = [...names, ...extra].map((metric) => {
    const values = runs.map((r) => (metric === 'p95(time_to_connect_ms)' ? (r.distributions.time_to_connect_ms?.p95 ?? 0) : (r.metrics[metric] ?? 0)));
    return { metric, ...meanWithInterval(values), values };
  });
  return { seeds: runs.map((r) => r.seed), metrics, passed: runs.every((r) => r.passed) };
}

export function meanWithInterval(values: number[]): { mean: number; ci95: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, ci95: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean: round(mean), ci95: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const t = T_975[n - 2] ?? 1.96;
  return { mean: round(mean), ci95: round((t * Math.sqrt(variance)) / Math.sqrt(n)) };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
