import { describe, expect, it } from 'vitest';
import { nextInt, SeededRng } from '../../reference/shared/rng.ts';
import { PagedIntMap } from './paged-int-map.ts';

describe('PagedIntMap', () => {
  it('answers as a Map under random sets and deletes, negative keys and page edges included', () => {
    const rng = new SeededRng(11);
    const paged = new PagedIntMap();
    const model = new Map<number, number>();
    const keys = [0, 4095, 4096, -1, -4096, -4097, 0x7fff_ffff, -0x8000_0000, 0x17000001 | 0, 0xcb00710a | 0];
    for (let i = 0; i < 20_000; i++) {
      const key = i % 3 === 0 ? (keys[nextInt(rng, keys.length)] as number) : (0x17000000 + nextInt(rng, 10_000)) | 0;
      if (nextInt(rng, 4) === 0) expect(paged.delete(key)).toBe(model.delete(key));
      else {
        const value = nextInt(rng, 1000);
        paged.set(key, value);
        model.set(key, value);
      }
      const probe = (0x17000000 + nextInt(rng, 10_000)) | 0;
      expect(paged.get(probe)).toBe(model.get(probe));
    }
    for (const key of [...keys, ...model.keys()]) expect(paged.get(key)).toBe(model.get(key));
  });

  it('refuses values it could not tell from an absent one', () => {
    expect(() => new PagedIntMap().set(1, -1)).toThrow(RangeError);
  });
});
