import { describe, expect, it } from 'vitest';
import { estimatedHeapBytes, heapAdvice } from './heap-advice.ts';

const noChurn = { joinsPerHour: 0, leavesPerHour: 0, crashesPerHour: 0, addressChangesPerHour: 0 };
const GIB = 2 ** 30;

describe('heap advice for large runs', () => {
  it('says nothing when the run fits in the heap limit', () => {
    expect(heapAdvice({ peers: 100_000, durationMs: 3_600_000, churn: noChurn, lookupsPerPeerPerHour: 4 }, 4 * GIB)).toBeNull();
  });

  it('names the flag and a limit that fits when a million-peer day meets the default 4 GiB', () => {
    // bench:sim:memory's day: 10 % churn an hour, 2.4 million departures; measured 4,877 MiB held at an earlier commit, 3.9 to 4.0 GiB projected now.
    const churn = { ...noChurn, leavesPerHour: 0.05, crashesPerHour: 0.05 };
    const advice = heapAdvice({ peers: 1_000_000, durationMs: 24 * 3_600_000, churn, lookupsPerPeerPerHour: 4 }, 4 * GIB);
    expect(advice).toMatch(/^note: 1000000 peers want about 7\.9 GiB of heap and node's limit here is 4\.0 GiB/);
    expect(advice).toMatch(/NODE_OPTIONS=--max-old-space-size=8192$/);
  });

  it('counts the samples, which grow with every lookup made', () => {
    const hour = estimatedHeapBytes({ peers: 100_000, durationMs: 3_600_000, churn: noChurn, lookupsPerPeerPerHour: 4 });
    const day = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn: noChurn, lookupsPerPeerPerHour: 4 });
    const busyDay = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn: noChurn, lookupsPerPeerPerHour: 40 });
    // 100,000 peers making 4 lookups an hour for 23 more hours, 4.7 bytes each, doubled; ten times the lookups, ten times the samples.
    expect(day - hour).toBeCloseTo(2 * 100_000 * 4 * 23 * 4.7, -3);
    expect(busyDay - hour).toBeCloseTo(2 * 100_000 * (40 * 24 - 4) * 4.7, -3);
  });

  it('comes within 3 % of what the 100,000-peer day held (412 MiB, 2026-12-03, less the 9 MiB held before the World) before its headroom', () => {
    const churn = { ...noChurn, leavesPerHour: 0.05, crashesPerHour: 0.05 };
    const held = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn, lookupsPerPeerPerHour: 4 }) / 2;
    expect(Math.abs(held / (403 * 2 ** 20) - 1)).toBeLessThan(0.03);
  });

  it('counts departed peers, which a run keeps for staleness lookups', () => {
    const churn = { ...noChurn, leavesPerHour: 0.05, crashesPerHour: 0.05 };
    const quiet = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn: noChurn, lookupsPerPeerPerHour: 4 });
    const churning = estimatedHeapBytes({ peers: 100_000, durationMs: 24 * 3_600_000, churn, lookupsPerPeerPerHour: 4 });
    // 240,000 departures at 706 bytes (the fitted 378 and the identity the relay keeps), doubled for GC headroom.
    expect(churning - quiet).toBeCloseTo(2 * 240_000 * 706, -3);
  });
});
