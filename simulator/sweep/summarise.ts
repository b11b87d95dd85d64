/**
 * One sweep point over its seeds: each metric's mean and 95% confidence
 * interval (multi-seed.ts's Student's t). A seed with no value is left out,
 * never read as 0, and the note names it and says why; with no value in
 * any seed, mean and ci95 are null.
 */
import { meanWithInterval } from '../report/multi-seed.ts';
import type { RunRecord } from './run-record.ts';

export interface PointMetric {
  metric: string;
  mean: number | null;
  ci95: number | null;
  /** One per seed, in replicate order; null where that seed had nothing to measure. */
  values: Array<number | null>;
  note?: string;
}

/** `runs` are one point's records in replicate order. */
export function summarisePoint(runs: readonly RunRecord[]): PointMetric[] {
  const names = Object.keys(runs[0]?.values ?? {});
  return names.map((metric) => pointMetric(metric, runs));
}

function pointMetric(metric: string, runs: readonly RunRecord[]): PointMetric {
  const values = runs.map((r) => r.values[metric] ?? null);
  const present = values.filter((v): v is number => v !== null);
  const summary: PointMetric = { metric, ...meanWithInterval(present), values };
  const missing = runs.filter((r) => (r.values[metric] ?? null) === null);
  if (missing.length === 0) return summary;
  const why = missing[0]?.notes[metric] ?? 'nothing to measure';
  const note = present.length === 0 ? `no value in any seed: ${why}` : `no value in seed ${missing.map((r) => r.seed).join(', ')} (${why}); mean and CI over the other ${present.length}`;
  return { ...summary, note };
}
