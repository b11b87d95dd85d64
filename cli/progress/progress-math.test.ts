import { describe, expect, it } from 'vitest';
import { decilesCrossed, etaMs, formatCount, fractionDone, perSecond, progressText, roughDuration } from './progress-math.ts';

describe('progress math', () => {
  it('has no ETA or rate before there is data, then the rate so far', () => {
    expect(etaMs({ done: 0, total: 100, elapsedMs: 5000 })).toBeNull();
    expect(etaMs({ done: 10, total: 100, elapsedMs: 0 })).toBeNull();
    expect(etaMs({ done: 25, total: 100, elapsedMs: 10_000 })).toBe(30_000);
    expect(etaMs({ done: 100, total: 100, elapsedMs: 10_000 })).toBe(0);
    expect(perSecond(0, 1000)).toBeNull();
    expect(perSecond(5000, 0)).toBeNull();
    expect(perSecond(5000, 2000)).toBe(2500);
    expect(fractionDone(5, 0)).toBe(0);
    expect(fractionDone(150, 100)).toBe(1);
  });

  it('rounds durations to two units in the duration grammar, and counts to k/M', () => {
    expect(roughDuration(7 * 3_600_000 + 12 * 60_000 + 34_500)).toBe('7h12m');
    expect(roughDuration(86_400_000)).toBe('1d');
    expect(roughDuration(3_600_000 + 5000)).toBe('1h');
    expect(roughDuration(65_000)).toBe('1m5s');
    expect(roughDuration(12_400)).toBe('12s');
    expect(roughDuration(3_750)).toBe('3.7s');
    expect(roughDuration(420)).toBe('420ms');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(12_340)).toBe('12.3k');
    expect(formatCount(1_234_567)).toBe('1.2M');
    expect(formatCount(250_000_000)).toBe('250M');
  });

  it('finds the 10% steps a jump passes', () => {
    expect(decilesCrossed(0, 0.09)).toEqual([]);
    expect(decilesCrossed(0, 0.1)).toEqual([10]);
    expect(decilesCrossed(0.28, 0.51)).toEqual([30, 40, 50]);
    expect(decilesCrossed(0.3, 0.3)).toEqual([]);
    expect(decilesCrossed(0.95, 1)).toEqual([100]);
    // Floating point: 0.7 is 0.7000000000000001 after 7 × 0.1.
    expect(decilesCrossed(0.6, 0.1 * 7)).toEqual([70]);
  });

  it('writes one line with elapsed, ETA (a dash without data), virtual time or cases, and events/s', () => {
    const hours = (h: number) => h * 3_600_000;
    expect(progressText('simulate', { done: hours(7.2), total: hours(24), unit: 'virtual-ms', elapsedMs: 12_000, events: 14_400_000 })).toBe(
      'simulate: 30% · virtual 7h12m of 1d · elapsed 12s · ETA 28s · 1.2M events/s',
    );
    expect(progressText('simulate', { done: 0, total: hours(24), unit: 'virtual-ms', elapsedMs: 0, events: 0 })).toBe('simulate: 0% · virtual 0s of 1d · elapsed 0s · ETA — · events/s —');
    expect(progressText('conformance', { done: 41, total: 97, unit: 'cases', elapsedMs: 30_000 }, 40)).toBe('conformance: 40% · cases 41 of 97 · elapsed 30s · ETA 40s');
  });
});
