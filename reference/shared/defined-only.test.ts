import { describe, expect, it } from 'vitest';
import { definedOnly } from './defined-only.ts';

describe('definedOnly', () => {
  it('drops undefined values and keeps null, 0 and false', () => {
    expect(definedOnly({ a: undefined, b: null, c: 0, d: false })).toEqual({ b: null, c: 0, d: false });
    expect(Object.keys(definedOnly({ a: undefined }))).toEqual([]);
  });
  it('with keys, keeps only those', () => {
    expect(definedOnly({ a: 1, b: 2, c: undefined }, ['a', 'c'])).toEqual({ a: 1 });
  });
});
