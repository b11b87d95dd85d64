import { describe, expect, it } from 'vitest';
import { Measurements } from './measurements.ts';

describe('Measurements.sampleBytes', () => {
  it('counts every distribution, its own and each class pair\'s, at the bytes each sample takes', () => {
    const m = new Measurements(2, 60_000);
    // Seven own distributions and 2 x 2 pairs of two each, every one a 256-slot byte tail when empty.
    expect(m.sampleBytes()).toBe((7 + 2 * 2 * 2) * 256);
    m.lookupLatencyMs.add(12.5); // not a whole number: that tail becomes 256 three-byte thousandths
    m.recordConnect(1, 0, '192.0.2.1', 2, 30.25); // a pair's attempts (a byte) and time to connect (thousandths)
    expect(m.sampleBytes()).toBe((7 + 2 * 2 * 2) * 256 + 2 * 256 * 2);
    m.stalenessMs.add(7_200_000); // two hours: past four bytes of thousandths, so doubles
    expect(m.sampleBytes()).toBe((7 + 2 * 2 * 2) * 256 + 2 * 256 * 2 + 256 * 7);
  });
});
