import { randomFillSync } from 'node:crypto';
import type { Rng } from './rng.ts';

/**
 * Real randomness for production edges (ids a live relay hands out).
 * Bytes are drawn from the OS in 4 KiB batches: one syscall per 1024 draws.
 */
const pool = new Uint32Array(1024);
let next = pool.length;

export const cryptoRng: Rng = {
  nextUint32: () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++] as number;
  },
};
