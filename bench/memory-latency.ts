/**
 * What one cache miss costs on this machine: a pointer chase through a
 * random cyclic permutation of cache lines in a buffer far larger than
 * the caches, so every load waits for the one before it (no prefetching,
 * no overlap). A simulator at 100,000 peers touches a heap of gigabytes in
 * random order, so this is the price of each record it reads cold.
 */
import { nextInt, SeededRng } from '../reference/shared/rng.ts';

const LINE_INTS = 16; // 64-byte cache lines of Int32

export function dependentLoadNs(bufferMiB = 256, loads = 4_000_000): number {
  const ints = (bufferMiB * 2 ** 20) / 4;
  const lines = ints / LINE_INTS;
  const chase = new Int32Array(ints);
  const order = shuffledLines(lines);
  for (let i = 0; i < lines; i++) chase[(order[i] as number) * LINE_INTS] = (order[(i + 1) % lines] as number) * LINE_INTS;
  let at = 0;
  const startedMs = performance.now();
  for (let i = 0; i < loads; i++) at = chase[at] as number;
  const elapsedMs = performance.now() - startedMs;
  if (at < 0) throw new Error('unreachable: keeps the chase from being optimised away');
  return (elapsedMs * 1e6) / loads;
}

/** A fixed-seed Fisher-Yates shuffle of 0..n-1 (the figure must not depend on Math.random). */
function shuffledLines(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new SeededRng(1);
  for (let i = n - 1; i > 0; i--) {
    const j = nextInt(rng, i + 1);
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}
