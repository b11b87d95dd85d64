/**
 * Every random choice derives from the run's one seed, through named
 * streams: stream("net.loss") and stream("peer", 17) are independent
 * generators whose seeds hash (seed, name, index). Adding a draw in one
 * subsystem therefore never shifts the numbers another subsystem sees,
 * unlike forking one generator in sequence.
 */
import { SeededRng } from '../../reference/shared/rng.ts';

export class RngStreams {
  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }

  stream(name: string, index = 0): SeededRng {
    return new SeededRng(streamSeed(this.seed, name, index));
  }
}

/** FNV-1a over the name, then a murmur3 finaliser over (seed, name hash, index). */
export function streamSeed(seed: number, name: string, index: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = mix32((h ^ seed) >>> 0);
  h = mix32((h ^ Math.imul(index >>> 0, 0x9e3779b1)) >>> 0);
  return mix32((h + (Math.floor(index / 0x1_0000_0000) >>> 0)) >>> 0);
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
