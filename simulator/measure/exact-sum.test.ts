import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum } from './exact-sum.ts';

/** Every generated value is m * 2^e with |m| < 2^53 and -60 <= e <= 60: exactly an integer once scaled by 2^SCALE. */
const SCALE = 120n;
const value = fc.tuple(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: -60, max: 60 })).map(([m, e]) => m * 2 ** e);

/** The reference: the sum in BigInt, exact, then one correctly rounded conversion (Number(bigint) rounds half to even). */
function exactlyRounded(values: number[]): number {
  let total = 0n;
  for (const v of values) total += scaled(v);
  return Number(total) / 2 ** Number(SCALE);
}

function scaled(v: number): bigint {
  let exponent = 0;
  let m = v;
  while (!Number.isInteger(m)) {
    m *= 2;
    exponent++;
  }
  return BigInt(m) << (SCALE - BigInt(exponent));
}

function sumOf(values: number[]): number {
  const sum = new ExactSum();
  for (const v of values) sum.add(v);
  return sum.value;
}

describe('ExactSum', () => {
  it('is the exact sum rounded once, in any order', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), (values) => {
        const want = exactlyRounded(values);
        expect(sumOf(values)).toBe(want);
        expect(sumOf([...values].reverse())).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds where a plain running sum goes wrong: cancellation and half-way cases', () => {
    expect(sumOf([1e16, 1, -1e16])).toBe(1);
    expect(sumOf([0.1, 0.2, 0.3, -0.6])).toBe(exactlyRounded([0.1, 0.2, 0.3, -0.6]));
    // 2^53 + 1 + 2^-60 lies above the half-way point between 2^53 and 2^53 + 2: it rounds up.
    expect(sumOf([2 ** 53, 1, 2 ** -60])).toBe(2 ** 53 + 2);
    expect(sumOf([2 ** 53, 1])).toBe(2 ** 53); // a tie goes to even
    expect(sumOf([])).toBe(0);
  });

  it('joins sums exactly, and carries infinities and NaN', () => {
    const a = new ExactSum();
    const b = new ExactSum();
    for (const v of [1e16, 3, 0.25]) a.add(v);
    for (const v of [-1e16, 0.5]) b.add(v);
    a.addSum(b);
    expect(a.value).toBe(3.75);
    a.add(Infinity);
    expect(a.value).toBe(Infinity);
    a.add(-Infinity);
    expect(a.value).toBeNaN();
    expect(() => new ExactSum().add(2 ** 1000)).toThrow(RangeError);
  });
});
