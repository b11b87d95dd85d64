import { describe, expect, it } from 'vitest';
import { Distribution } from '../measure/distribution.ts';
import { meanWithInterval } from './multi-seed.ts';

describe('meanWithInterval', () => {
  it('uses Student t for small samples', () => {
    // mean 2, sample sd 1, t(0.975, 2 df) = 4.303: 4.303 / sqrt(3) = 2.484338
    expect(meanWithInterval([1, 2, 3])).toEqual({ mean: 2, ci95: 2.484338 });
    // One value has no spread: no interval, never a made-up ±0.
    expect(meanWithInterval([4])).toEqual({ mean: 4, ci95: null });
    // Nothing to average is no mean, not a mean of 0.
    expect(meanWithInterval([])).toEqual({ mean: null, ci95: null });
  });
});

describe('Distribution', () => {
  it('reports nearest-rank percentiles and a CDF ending at 1', () => {
    const d = new Distribution();
    for (let v = 100; v >= 1; v--) d.add(v);
    const s = d.summary();
    expect(s).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5, p50: 50, p90: 90, p95: 95, p99: 99 });
    expect(s.cdf[s.cdf.length - 1]).toEqual([100, 1]);
    expect(new Distribution().summary().count).toBe(0);
  });
});
