import { describe, expect, it } from 'vitest';
import { splitHeld } from '../../bench/memory-split.ts';

describe('splitHeld (bench:sim memory split)', () => {
  it('recovers the per-peer costs a run was made of, and the worst residual of the noise added', () => {
    // 20,000 live peers throughout while the departed grow, as in the churn workload; 2,000 B live, 600 B departed.
    const noise = [3000, -2000, 500, 0, -4000, 1000];
    const checks = noise.map((n, i) => ({ live: 20_000 - i * 10, departed: i * 5_000, restBytes: 2000 * (20_000 - i * 10) + 600 * i * 5_000 + n }));
    const split = splitHeld(checks);
    expect(split.perLiveBytes).toBeCloseTo(2000, 0);
    expect(split.perDepartedBytes).toBeCloseTo(600, 0);
    expect(split.checks).toBe(6);
    expect('worstResidualBytes' in split && split.worstResidualBytes).toBeGreaterThan(0);
    expect('worstResidualBytes' in split && split.worstResidualBytes).toBeLessThan(5000);
  });

  it('spreads a fixed cost over the live peers when their count hardly moves (what its label says)', () => {
    // 2 MB the World holds whatever its size, over about 20,000 live peers: about 100 bytes more per live peer, nothing per departed.
    const checks = [0, 1, 2, 3, 4, 5].map((i) => ({ live: 20_000 - i * 10, departed: i * 5_000, restBytes: 2_000_000 + 2000 * (20_000 - i * 10) + 600 * i * 5_000 }));
    const split = splitHeld(checks);
    expect(split.perLiveBytes).toBeGreaterThan(2090);
    expect(split.perLiveBytes).toBeLessThan(2110);
    expect(Math.abs((split.perDepartedBytes as number) - 600)).toBeLessThan(5);
  });

  it('is null with a note when the counts do not tell the two costs apart', () => {
    expect(splitHeld([{ live: 10, departed: 0, restBytes: 100 }, { live: 20, departed: 0, restBytes: 200 }], 1)).toMatchObject({ perLiveBytes: null, note: 'not determined: no peer had departed at any check' });
    expect(splitHeld([{ live: 10, departed: 5, restBytes: 100 }, { live: 20, departed: 10, restBytes: 200 }], 1)).toMatchObject({ perDepartedBytes: null, note: 'not determined: live and departed peers grew in step across the checks' });
    expect(splitHeld([{ live: 3000, departed: 2, restBytes: 100 }, { live: 2900, departed: 12, restBytes: 200 }])).toMatchObject({ perLiveBytes: null, note: "not determined: fewer than 1,000 departed peers at every check, too few to tell their bytes from the collector's noise" });
    expect(splitHeld([{ live: 10, departed: 5, restBytes: 100 }])).toMatchObject({ perLiveBytes: null, note: 'not determined: fewer than two checks' });
    expect(() => splitHeld([{ live: -1, departed: 0, restBytes: 0 }])).toThrow(RangeError);
  });
});
