import { randomBytes } from 'node:crypto';
import type { Rng } from './rng.ts';

/** Real randomness for production edges (ids a live relay hands out). */
export const cryptoRng: Rng = {
  nextUint32: () => randomBytes(4).readUInt32BE(0),
};
