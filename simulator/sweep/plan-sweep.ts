/**
 * Everything a sweep will do, checked before any run starts: the seeds,
 * the grid's size, the shard, the scenario file, and every point's
 * scenario (each value with its field's grammar, and cross-field checks
 * such as ttl > heartbeat interval, as the file would be checked). The CLI
 * recipes' test calls this too, to check a command without simulating.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../cli/usage-error.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { definitionHash, sweepDefinition, type SweepDefinition } from './definition.ts';
import { checkGridSize, gridPoints, sweepJobs, type SweepJob, type SweepPoint } from './grid.ts';
import { scenarioWithSettings } from './point-scenario.ts';
import { parseSetOptions, type SweepParameter } from './set-option.ts';
import { inShard, parseShard, type Shard } from './shard.ts';

export interface SweepRequest {
  file: string;
  sets: readonly string[];
  seeds: number;
  /** Base seed; the scenario's own when absent. */
  seed?: number;
  /** "I/N", 0-based. */
  shard?: string;
}

export interface SweepPlan {
  definition: SweepDefinition;
  hash: string;
  parameters: SweepParameter[];
  points: SweepPoint[];
  /** One per point. */
  scenarios: Scenario[];
  /** The whole (point, seed) list. */
  jobs: SweepJob[];
  shard: Shard | null;
  /** The jobs this invocation runs: all of them, or its shard's. */
  selected: SweepJob[];
}

const MAX_SEEDS = 1000;

export async function planSweep(request: SweepRequest): Promise<SweepPlan> {
  checkSeeds(request);
  const parameters = parseSetOptions(request.sets);
  checkGridSize(parameters, request.seeds);
  const shard = request.shard === undefined ? null : parseShard(request.shard);
  const text = await readFile(request.file, 'utf8');
  const base = parseScenario(request.file, text);
  const points = gridPoints(parameters);
  const scenarios = points.map((p) => scenarioWithSettings(request.file, text, p.values.map((value, i) => ({ parameter: parameters[i] as SweepParameter, value }))));
  const definition = sweepDefinition(request.file, base.name, text, request.seed ?? base.seed, request.seeds, parameters);
  const jobs = sweepJobs(points.length, request.seeds, definition.seed);
  const selected = shard === null ? jobs : jobs.filter((j) => inShard(j, shard));
  return { definition, hash: definitionHash(definition), parameters, points, scenarios, jobs, shard, selected };
}

function checkSeeds(request: SweepRequest): void {
  if (!Number.isInteger(request.seeds) || request.seeds < 1 || request.seeds > MAX_SEEDS) throw new UsageError(`--seeds: expected a whole number from 1 to ${MAX_SEEDS}, got ${request.seeds}`);
  const seed = request.seed;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff)) throw new UsageError(`--seed: expected an integer in [0, 2^32), got ${seed}`);
}
