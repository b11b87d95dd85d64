import { describe, expect, it } from 'vitest';
import { hex8, nextHex, SeededRng } from './rng.ts';

describe('hex8', () => {
  it('writes a uint32 as toString(16) padded to eight digits does, at the edges and on 100,000 draws', () => {
    const rng = new SeededRng(3);
    const values = [0, 1, 0xf, 0x10, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    for (let i = 0; i < 100_000; i++) values.push(rng.nextUint32());
    for (const value of values) expect(hex8(value), String(value)).toBe(value.toString(16).padStart(8, '0'));
  });
});

describe('nextHex', () => {
  it('draws the same hex as before for a seed (ids in recorded runs stay the same)', () => {
    expect(nextHex(new SeededRng(1), 16)).toBe(nextHexAsBefore(new SeededRng(1), 16));
    expect(nextHex(new SeededRng(9), 5)).toBe(nextHexAsBefore(new SeededRng(9), 5));
  });
});

function nextHexAsBefore(rng: SeededRng, byteCount: number): string {
  let out = '';
  for (let i = 0; i < byteCount; i += 4) out += rng.nextUint32().toString(16).padStart(8, '0');
  return out.slice(0, byteCount * 2);
}
