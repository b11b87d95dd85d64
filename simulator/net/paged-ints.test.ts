import { describe, expect, it } from 'vitest';
import { nextInt, SeededRng } from '../../reference/shared/rng.ts';
import { PagedInts } from './paged-ints.ts';

describe('PagedInts', () => {
  it('keeps every field of every row apart, across page edges', () => {
    const rng = new SeededRng(5);
    const table = new PagedInts(3, -1);
    const model: number[][] = [];
    for (let i = 0; i < 10_000; i++) {
      expect(table.push()).toBe(model.length);
      model.push([-1, -1, -1]);
      const row = nextInt(rng, model.length);
      const field = nextInt(rng, 3);
      const value = (nextInt(rng, 2 ** 31) - 2 ** 30) | 0;
      table.set(row, field, value);
      (model[row] as number[])[field] = value;
    }
    expect(table.length).toBe(model.length);
    model.forEach((fields, row) => fields.forEach((value, field) => expect(table.get(row, field)).toBe(value)));
  });

  it('throws for a row never pushed, and refuses a configuration it cannot hold', () => {
    const table = new PagedInts(2, 0);
    table.push();
    expect(() => table.get(1, 0)).toThrow(/no row 1/);
    expect(() => table.get(-1, 0)).toThrow(RangeError);
    expect(() => new PagedInts(0, 0)).toThrow(RangeError);
    expect(() => new PagedInts(2, 2 ** 31)).toThrow(RangeError);
  });
});
