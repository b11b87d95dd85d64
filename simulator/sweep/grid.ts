/**
 * The sweep's grid and its (point, seed) list. Points are the cartesian
 * product of the --set values, the first --set varying slowest (nested
 * loops in the order typed). Each point runs `seeds` replicates whose
 * seeds follow one rule, so any run can be reproduced alone:
 *
 *   seed(point p, replicate k) = (base + p × seeds + k) mod 2^32
 *
 * Point 0 thus gets the seeds `relaylab simulate --seed base --seeds K`
 * would use, and no two runs of a sweep share a seed.
 */
import { UsageError } from '../../cli/usage-error.ts';
import type { SweepParameter } from './set-option.ts';

/** At most this many runs (points × seeds) in one sweep, sharded or not. */
export const MAX_RUNS = 200;

export interface SweepPoint {
  index: number;
  /** One value per parameter, in --set order. */
  values: string[];
}

export interface SweepJob {
  /** Position in the sweep's (point, seed) list: what --shard partitions. */
  index: number;
  point: number;
  replicate: number;
  seed: number;
}

export const SEED_RULE = 'seed of point p, replicate k = (seed + p * seeds_per_point + k) mod 2^32';

export function seedOf(base: number, point: number, replicate: number, seedsPerPoint: number): number {
  return (base + point * seedsPerPoint + replicate) >>> 0;
}

/** Refuses a grid past MAX_RUNS before anything is parsed or run. */
export function checkGridSize(parameters: ReadonlyArray<Pick<SweepParameter, 'values'>>, seedsPerPoint: number): void {
  const points = parameters.reduce((n, p) => n * p.values.length, 1);
  const runs = points * seedsPerPoint;
  if (runs > MAX_RUNS) {
    const shape = parameters.length > 1 ? `${parameters.map((p) => p.values.length).join(' × ')} = ` : '';
    throw new UsageError(`--set: the grid is ${shape}${points} points × ${seedsPerPoint} seeds = ${runs} runs, more than ${MAX_RUNS}; sweep fewer values or seeds, or split it into several sweeps`);
  }
}

export function gridPoints(parameters: ReadonlyArray<Pick<SweepParameter, 'values'>>): SweepPoint[] {
  let combos: string[][] = [[]];
  for (const p of parameters) combos = combos.flatMap((combo) => p.values.map((v) => [...combo, v]));
  return combos.map((values, index) => ({ index, values }));
}

/** Every (point, replicate) in order: point-major, then replicate. */
export function sweepJobs(pointCount: number, seedsPerPoint: number, base: number): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (let point = 0; point < pointCount; point++) {
    for (let replicate = 0; replicate < seedsPerPoint; replicate++) jobs.push({ index: jobs.length, point, replicate, seed: seedOf(base, point, replicate, seedsPerPoint) });
  }
  return jobs;
}
