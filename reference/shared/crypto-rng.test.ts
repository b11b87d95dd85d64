import { describe, expect, it } from 'vitest';
import { cryptoRng } from './crypto-rng.ts';

describe('cryptoRng', () => {
  it('keeps producing distinct values across pool refills', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(cryptoRng.nextUint32());
    // 5000 draws from 2^32: a collision is possible but vanishingly rare; a stuck pool is not.
    expect(seen.size).toBeGreaterThan(4990);
  });
});
