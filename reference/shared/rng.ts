/**
 * Randomness as a dependency. Pure modules take an Rng so a simulator run
 * is reproducible from its seed. Identifiers the relay hands out come from
 * here; secrets (TLS keys) never do, they use node:crypto at the edge.
 */
export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
}

/** Uniform float in [0, 1). */
export function nextFloat(rng: Rng): number {
  return rng.nextUint32() / 0x1_0000_0000;
}

/** Uniform integer in [0, bound). */
export function nextInt(rng: Rng, bound: number): number {
  return Math.floor(nextFloat(rng) * bound);
}

/** `byteCount` random bytes as lower-case hex. */
export function nextHex(rng: Rng, byteCount: number): string {
  let out = '';
  for (let i = 0; i < byteCount; i += 4) {
    out += hex8(rng.nextUint32());
  }
  return out.slice(0, byteCount * 2);
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A uint32 as eight lower-case hex digits, as value.toString(16).padStart(8, '0')
 * writes it, from a table: V8's radix-16 toString was a fifth of a relay
 * ready's cost (four per broadcast id).
 */
export function hex8(value: number): string {
  return (BYTE_HEX[value >>> 24] as string) + (BYTE_HEX[(value >>> 16) & 255] as string) + (BYTE_HEX[(value >>> 8) & 255] as string) + (BYTE_HEX[value & 255] as string);
}

/**
 * xoshiro128** seeded through splitmix32: small, fast, and good enough
 * statistically for simulation. Not for secrets.
 */
export class SeededRng implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** An independent stream, derived deterministically (per peer, per worker). */
  fork(): SeededRng {
    return new SeededRng(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
