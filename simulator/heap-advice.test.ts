import { describe, expect, it } from 'vitest';
import { estimatedHeapBytes, heapAdvice } from './heap-advice.ts';

const noChurn = { joinsPerHour: 0, leavesPerHour: 0, crashesPerHour: 0, addressChangesPerHour: 0 };
const GIB = 2 ** 30;

describe('heap advice for large runs', () => {
  it('says nothing when the run fits in the heap limit', () => {
    expect(heapAdvice({ peers: 100_000, durationMs: 3_600_000, churn: noChurn }, 4 * GIB)).toBeNull();
  });

  it('names the flag and a limit that fits when a million peers meet the default 4 GiB', () => {
    const advice = heapAdvice({ peers: 1_000_000, durationMs: 3_600_000, churn: noChurn }, 4 * GIB);
    expect(advice).toMatch(/^note: 1000000 peers want about 5\.6 GiB of heap and node's limit here is 4\.0 GiB/);
    expect(advice).toMatch(/NODE_OPTIONS=--max-old-space-size=6144$/);
  });

  it('counts departed peers, which a run keeps for staleness lookups', () => {
    const churn = { ...noChurn, leavesPerHour: 0.05, crashesPerHour: 0.05 };
    const quiet = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn: noChurn });
    const churning = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn });
    // 240,000 departures at 1.8 KB, doubled for GC headroom.
    expect(churning - quiet).toBeCloseTo(2 * 240_000 * 1_800, -3);
  });
});
