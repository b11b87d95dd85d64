/**
 * A rough sizing of a run's heap, so that a large run says up front when
 * node's heap limit is too small for it. Near its limit V8 collects
 * garbage back to back and the run crawls, with no error (measured: a
 * million peers hold about 2.8 GiB, and under the default limit of about
 * 4 GiB the run never gets going). The figures come from bench:sim:memory:
 * about 3 KB per live peer and 1.8 KB per departed one (kept for
 * staleness lookups), and V8 wants about twice the live size to run
 * smoothly.
 */
import type { Scenario } from './scenario/scenario.ts';

const BYTES_PER_LIVE_PEER = 3_000;
const BYTES_PER_DEPARTED_PEER = 1_800;
const GC_HEADROOM = 2;
const MIB = 2 ** 20;
const HOUR_MS = 3_600_000;

/** The heap, in bytes, a run of `scenario` wants (an estimate, not a bound). */
export function estimatedHeapBytes(scenario: Pick<Scenario, 'peers' | 'durationMs' | 'churn'>): number {
  const hours = scenario.durationMs / HOUR_MS;
  const departed = scenario.peers * (scenario.churn.leavesPerHour + scenario.churn.crashesPerHour) * hours;
  return GC_HEADROOM * (scenario.peers * BYTES_PER_LIVE_PEER + departed * BYTES_PER_DEPARTED_PEER);
}

/** One line of advice when the estimate exceeds node's heap limit; null when it fits. */
export function heapAdvice(scenario: Pick<Scenario, 'peers' | 'durationMs' | 'churn'>, heapLimitBytes: number): string | null {
  const wantedBytes = estimatedHeapBytes(scenario);
  if (wantedBytes <= heapLimitBytes) return null;
  const suggestedMiB = Math.ceil(wantedBytes / MIB / 1024) * 1024;
  return `note: ${scenario.peers} peers want about ${(wantedBytes / 2 ** 30).toFixed(1)} GiB of heap and node's limit here is ${(heapLimitBytes / 2 ** 30).toFixed(1)} GiB, so garbage collection would dominate the run; rerun with NODE_OPTIONS=--max-old-space-size=${suggestedMiB}`;
}
