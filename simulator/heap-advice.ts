/**
 * A rough sizing of a run's heap, so that a large run says up front when
 * node's heap limit is too small for it. Near its limit V8 collects
 * garbage back to back and the run crawls, with no error (a million-peer
 * day that held 4.9 GiB never got going under the default of about 4 GiB;
 * at 3.8 GiB held, on 2026-12-07, it completed under a 4 GiB limit but
 * took 1.50x as long). The
 * figures come from `npm run bench:sim -- --live-heap` at 100,000 peers
 * for 24 h (2026-12-03, 412 MiB held at the end): per live peer, the
 * fitted 1,524 bytes of world, network and peer core, plus its identity
 * (328) and broadcast (237) in the relay's memory store; per departed one
 * (kept for lookups of the departed), the fitted 378 bytes plus its
 * identity, which the relay keeps too; and the exact samples, 4.7 bytes
 * per lookup made (its latencies and those of the connect it leads to:
 * 43 MiB over 9,616,702 lookups). V8 wants about twice the live size to
 * run smoothly. The fitted per-live figure carries the World's fixed
 * costs, so it reads high for small runs. It was measured on the bench's
 * esbuild bundle; `relaylab simulate` run from a checkout goes through
 * tsx, whose keepNames wrappers add about 2 KB per peer (simulator/
 * README.md, Benchmark), so there it reads low, and the 2x headroom is
 * what covers it.
 */
import type { Scenario } from './scenario/scenario.ts';

/**
 * V8's semi-space for simulation runs, in MiB (its default is 16). A run's
 * in-flight state (dials, relay calls, lookups in progress) lives for
 * virtual seconds, which at the default size is long enough to survive two
 * scavenges and be promoted, only to die in old space, where full
 * collections of a large heap must find it. Measured 2026-12-03, the
 * bench's bundle, 200,000 peers over 3 virtual hours: 240 s and 1,717 MiB
 * peak RSS at the default, 152 s and 923 MiB at 64, 143 s and 1,022 MiB at
 * 128; through `relaylab simulate`, 250 s and 1,872 MiB against 188 s and
 * 1,034 MiB. It gains least where little is promoted: 100,000 peers over
 * 6 h, 127 and 147 s against 124 and 131 (two pairs), peak RSS 700 to 900
 * MiB; the million-peer day's first tenth, 1,339 s against 1,171 (runs on
 * two days, both beside other work). Results
 * do not depend on it: nothing in a run reads the heap (26 runs hashed).
 */
export const SEMI_SPACE_MIB = 64;
/**
 * The same for a worker's resourceLimits.maxYoungGenerationSizeMb, which V8
 * splits into two semi-spaces and a large-object space of one, each
 * semi-space rounded to a power of two (Node 20, measured: 48 gives 16 MiB
 * semi-spaces, 96 gives 32, 128 to 192 give 64, 256 gives 128).
 */
export const YOUNG_GENERATION_MIB = 3 * SEMI_SPACE_MIB;

const BYTES_PER_LIVE_PEER = 1_524 + 328 + 237;
const BYTES_PER_DEPARTED_PEER = 378 + 328;
const SAMPLE_BYTES_PER_LOOKUP = 4.7;
const GC_HEADROOM = 2;
const MIB = 2 ** 20;
const HOUR_MS = 3_600_000;

/** What of a scenario the sizing reads. */
type Sized = Pick<Scenario, 'peers' | 'durationMs' | 'churn' | 'lookupsPerPeerPerHour'>;

/** The heap, in bytes, a run of `scenario` wants (an estimate, not a bound). */
export function estimatedHeapBytes(scenario: Sized): number {
  const hours = scenario.durationMs / HOUR_MS;
  const departed = scenario.peers * (scenario.churn.leavesPerHour + scenario.churn.crashesPerHour) * hours;
  return GC_HEADROOM * (scenario.peers * (BYTES_PER_LIVE_PEER + SAMPLE_BYTES_PER_LOOKUP * scenario.lookupsPerPeerPerHour * hours) + departed * BYTES_PER_DEPARTED_PEER);
}

/** One line of advice when the estimate exceeds node's heap limit; null when it fits. */
export function heapAdvice(scenario: Sized, heapLimitBytes: number): string | null {
  const wantedBytes = estimatedHeapBytes(scenario);
  if (wantedBytes <= heapLimitBytes) return null;
  const suggestedMiB = Math.ceil(wantedBytes / MIB / 1024) * 1024;
  return `note: ${scenario.peers} peers want about ${(wantedBytes / 2 ** 30).toFixed(1)} GiB of heap and node's limit here is ${(heapLimitBytes / 2 ** 30).toFixed(1)} GiB, so garbage collection would dominate the run; rerun with NODE_OPTIONS=--max-old-space-size=${suggestedMiB}`;
}
