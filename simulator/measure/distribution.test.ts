import { describe, expect, it } from 'vitest';
import { nextFloat, SeededRng } from '../../reference/shared/rng.ts';
import { Distribution, DistributionUnion } from './distribution.ts';

/** The summary's statistics straight from a sorted plain array (nearest rank), to hold the chunked storage to. */
function expected(values: number[]): { count: number; min: number; max: number; p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number): number => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
  return { count: sorted.length, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, p50: rank(0.5), p99: rank(0.99) };
}

describe('Distribution', () => {
  it('keeps every sample across chunks, whole numbers first and doubles after', () => {
    const rng = new SeededRng(3);
    const values: number[] = [];
    const distribution = new Distribution();
    // Past two full chunks of small whole numbers (kept a byte each), then doubles, which move them all.
    for (let i = 0; i < 140_000; i++) values.push(i % 200);
    for (let i = 0; i < 70_000; i++) values.push(Math.round(nextFloat(rng) * 1e6) / 1000);
    for (const value of values) distribution.add(value);
    const summary = distribution.summary();
    const want = expected(values);
    expect(distribution.count).toBe(values.length);
    expect({ count: summary.count, min: summary.min, max: summary.max, p50: summary.p50, p99: summary.p99 }).toEqual(want);
    expect(summary.mean).toBe(Math.round(([...values].sort((a, b) => a - b).reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000);
  });

  it('joins parts in a union as one distribution', () => {
    const parts = [new Distribution(), new Distribution()];
    const values: number[] = [];
    for (let i = 0; i < 70_000; i++) {
      const value = (i * 7919) % 100_003;
      values.push(value);
      (parts[i % 2] as Distribution).add(value);
    }
    const union = new DistributionUnion(() => parts);
    expect(union.count).toBe(values.length);
    expect(union.summary().p99).toBe(expected(values).p99);
  });

  it('counts the bytes its samples hold: a byte per small whole number, eight per double, spare tail room included', () => {
    const distribution = new Distribution();
    expect(distribution.heldBytes).toBe(256); // the first tail: 256 one-byte slots
    for (let i = 0; i < 65_536 + 10; i++) distribution.add(i % 7);
    // One full chunk of bytes and a fresh byte tail of a chunk's size.
    expect(distribution.heldBytes).toBe(65_536 + 65_536);
    distribution.add(0.5);
    // The tail moves to doubles; the full chunk stays bytes.
    expect(distribution.heldBytes).toBe(65_536 + 65_536 * 8);
  });
});

