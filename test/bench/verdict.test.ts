import { describe, expect, it } from 'vitest';
import { ratioToLimit } from '../../bench/verdict.ts';

describe('ratioToLimit', () => {
  it('prints two decimals when they do not read as the limit', () => {
    expect(ratioToLimit(1.1134)).toBe('1.11');
    expect(ratioToLimit(0.94)).toBe('0.94');
    expect(ratioToLimit(0.985)).toBe('0.98'); // toFixed's own rounding of a binary 0.985
  });

  it('adds decimals to a ratio that two would round to 1, so a miss never reads as the limit', () => {
    expect(ratioToLimit(84.6 / 85)).toBe('0.995');
    expect(ratioToLimit(2.006 / 2)).toBe('1.003');
    expect(ratioToLimit(0.99996)).toBe('1.0000'); // four decimals at most
  });

  it('prints the limit itself as 1.00', () => {
    expect(ratioToLimit(1)).toBe('1.00');
  });

  it('refuses a ratio that is not a number', () => {
    expect(() => ratioToLimit(Number.NaN)).toThrow(RangeError);
    expect(() => ratioToLimit(Infinity)).toThrow(RangeError);
  });
});
