/**
 * What a sweep keeps of one run: its scalar metrics and a few
 * distribution statistics (each null, with the run's reason, when there
 * was nothing to measure), its verdict, and the model it ran. Shard files
 * carry these records, and results.json is computed from them alone, so
 * a merge of shards and an unsharded run give the same bytes.
 */
import type { Results } from '../report/results.ts';

export interface RunRecord {
  job: number;
  point: number;
  replicate: number;
  seed: number;
  passed: boolean;
  /** "assertion (value or why none)" for each assertion that failed. */
  failed_assertions: string[];
  values: Record<string, number | null>;
  /** Why a value is null, by metric. */
  notes: Record<string, string>;
  options: Record<string, unknown>;
  hypotheses: string[];
}

/** Distribution statistics worth a line against a swept parameter, named as assertions name them. */
const DISTRIBUTION_STATS: ReadonlyArray<[string, ReadonlyArray<'mean' | 'p50' | 'p95' | 'max'>]> = [
  ['time_to_connect_ms', ['p50', 'p95']],
  ['listed_after_departure_ms', ['mean', 'p95']],
  ['listed_after_crash_ms', ['mean']],
  ['listed_after_leave_ms', ['mean']],
  ['lookup_latency_ms', ['p95']],
  ['join_to_discoverable_ms', ['p95']],
  ['staleness_ms', ['p95']],
  ['expiry_gap_ms', ['max']],
];

export function recordOf(job: { index: number; point: number; replicate: number; seed: number }, r: Results): RunRecord {
  const values: Record<string, number | null> = { ...r.metrics };
  const notes: Record<string, string> = { ...r.metric_notes };
  values.relay_requests_per_second = relayRate(r);
  if (values.relay_requests_per_second === null) notes.relay_requests_per_second = 'no relay request count';
  for (const [name, stats] of DISTRIBUTION_STATS) {
    const d = r.distributions[name];
    for (const stat of stats) {
      const metric = `${stat}(${name})`;
      values[metric] = d?.[stat] ?? null;
      if (values[metric] === null) notes[metric] = d?.note ?? 'no samples';
    }
  }
  return {
    job: job.index,
    point: job.point,
    replicate: job.replicate,
    seed: job.seed,
    // A sweep keeps finished runs only (run-sweep.ts), so every run here was judged.
    passed: r.passed === true,
    failed_assertions: r.assertions.filter((a) => !a.passed).map((a) => `${a.assertion} (${a.note ?? `was ${a.value}`})`),
    values,
    notes,
    options: r.options,
    hypotheses: r.hypotheses,
  };
}

/** Relay requests per virtual second over the whole run: the load side of a heartbeat-interval trade-off. */
function relayRate(r: Results): number | null {
  const requests = r.metrics.relay_requests ?? null;
  const durationMs = Number(r.options.duration_ms);
  if (requests === null || !(durationMs > 0)) return null;
  return Math.round((requests * 1e6) / durationMs) / 1e3;
}
