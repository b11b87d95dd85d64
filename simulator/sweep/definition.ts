/**
 * What a sweep is, apart from how it is sliced: the scenario (its text,
 * by hash, and the path given, which results.json repeats), the base seed,
 * the seeds per point and the swept parameters with their values in order.
 * Each shard file carries it and its hash, so shards of different sweeps
 * are refused at merge time, and the merge needs no scenario file.
 */
import { createHash } from 'node:crypto';
import type { SweepParameter } from './set-option.ts';

export interface SweepDefinition {
  file: string;
  scenario: string;
  scenario_sha256: string;
  seed: number;
  seeds_per_point: number;
  parameters: Array<{ name: string; values: string[] }>;
}

export function sweepDefinition(file: string, scenarioName: string, text: string, seed: number, seedsPerPoint: number, parameters: readonly SweepParameter[]): SweepDefinition {
  return {
    file,
    scenario: scenarioName,
    scenario_sha256: sha256(text),
    seed,
    seeds_per_point: seedsPerPoint,
    parameters: parameters.map((p) => ({ name: p.name, values: [...p.values] })),
  };
}

/** Over the definition's fields in a fixed order, so the same sweep hashes the same on every machine. */
export function definitionHash(d: SweepDefinition): string {
  return sha256(JSON.stringify([d.file, d.scenario, d.scenario_sha256, d.seed, d.seeds_per_point, d.parameters.map((p) => [p.name, p.values])]));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
