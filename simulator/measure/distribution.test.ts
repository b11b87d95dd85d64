import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFloat, SeededRng } from '../../reference/shared/rng.ts';
import { Distribution, DistributionUnion, round3, type DistributionSummary } from './distribution.ts';
import { ExactSum } from './exact-sum.ts';

/**
 * The summary straight from the samples themselves, kept whole in a plain
 * array: nearest-rank percentiles and CDF points rounded to three decimals,
 * the mean from the exact sum. The stored form (bytes, thousandths) must
 * give exactly this.
 */
function expected(values: number[]): DistributionSummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const at = (i: number): number => round3(sorted[i] as number);
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  const cdf: Array<[number, number]> = [];
  const step = Math.max(1, Math.floor(n / 50));
  for (let i = step - 1; i < n; i += step) cdf.push([at(i), round3((i + 1) / n)]);
  if (cdf[cdf.length - 1]?.[1] !== 1) cdf.push([at(n - 1), 1]);
  const rank = (q: number): number => at(Math.max(1, Math.ceil(q * n)) - 1);
  return { count: n, mean: round3(sum.value / n), min: at(0), max: at(n - 1), p50: rank(0.5), p90: rank(0.9), p95: rank(0.95), p99: rank(0.99), cdf };
}

function distributionOf(values: number[]): Distribution {
  const distribution = new Distribution();
  for (const value of values) distribution.add(value);
  return distribution;
}

/** Samples of every kind a run takes: counts, short latencies, hour-long times, and the odd negative. */
const sample = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.double({ min: 0, max: 5000, noNaN: true }),
  fc.double({ min: 16_000, max: 4_500_000, noNaN: true }),
  fc.double({ min: 0, max: 90_000_000, noNaN: true }),
  fc.double({ min: -10, max: 10, noNaN: true }),
);

describe('Distribution', () => {
  it('summarises exactly as the whole samples would, whatever their kinds and order', () => {
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 400 }), (values) => {
        expect(distributionOf(values).summary()).toEqual(expected(values));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every sample across chunks: whole numbers, then latencies, then minutes, then hours', () => {
    const rng = new SeededRng(3);
    const values: number[] = [];
    // Past two full chunks of small whole numbers (a byte each), then latencies (thousandths in three bytes), then minutes (four), then hours (doubles).
    for (let i = 0; i < 140_000; i++) values.push(i % 200);
    for (let i = 0; i < 70_000; i++) values.push(nextFloat(rng) * 1000);
    for (let i = 0; i < 70_000; i++) values.push(nextFloat(rng) * 3_600_000);
    for (let i = 0; i < 70_000; i++) values.push(nextFloat(rng) * 86_400_000);
    const distribution = distributionOf(values);
    expect(distribution.count).toBe(values.length);
    expect(distribution.summary()).toEqual(expected(values));
  });

  it('joins parts in a union as one distribution', () => {
    const rng = new SeededRng(5);
    const parts = [new Distribution(), new Distribution()];
    const values: number[] = [];
    for (let i = 0; i < 70_000; i++) {
      const value = i % 3 === 0 ? (i * 7919) % 251 : nextFloat(rng) * 5000;
      values.push(value);
      (parts[i % 2] as Distribution).add(value);
    }
    const union = new DistributionUnion(() => parts);
    expect(union.count).toBe(values.length);
    expect(union.summary()).toEqual(expected(values));
  });

  it('reads NaN, infinities and -0 back as they were', () => {
    const values = [3, -0, 0.25, Infinity, 12];
    expect(distributionOf(values).summary()).toEqual(expected(values));
    expect(Object.is(distributionOf([-0]).summary().min, -0)).toBe(true);
    expect(distributionOf([1, NaN]).summary().mean).toBeNaN();
  });

  it('counts the bytes its samples hold: one per small whole number, three per latency, four per longer time, eight past 71 minutes, spare tail room included', () => {
    const distribution = new Distribution();
    expect(distribution.heldBytes).toBe(256); // the first tail: 256 one-byte slots
    for (let i = 0; i < 65_536 + 10; i++) distribution.add(i % 7);
    // One full chunk of bytes and a fresh byte tail of a chunk's size.
    expect(distribution.heldBytes).toBe(65_536 + 65_536);
    distribution.add(0.5);
    // The tail moves to three-byte thousandths; the full chunk stays bytes.
    expect(distribution.heldBytes).toBe(65_536 + 65_536 * 3);
    distribution.add(20_000); // 20 s: past three bytes of thousandths
    expect(distribution.heldBytes).toBe(65_536 + 65_536 * 4);
    distribution.add(5_000_000); // 83 minutes: past four bytes of thousandths
    expect(distribution.heldBytes).toBe(65_536 + 65_536 * 8);
  });
});
