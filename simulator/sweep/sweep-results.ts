/**
 * results.json of a sweep (schema relaylab.simulator.sweep/1), computed
 * from the definition and the runs' records alone: the unsharded run and
 * `relaylab report --merge` of its shards both call this, so they write
 * the same bytes. No wall-clock time, host or shard layout goes in.
 */
import { gridPoints, SEED_RULE } from './grid.ts';
import type { SweepDefinition } from './definition.ts';
import type { RunRecord } from './run-record.ts';
import { summarisePoint, type PointMetric } from './summarise.ts';

export const SWEEP_SCHEMA = 'relaylab.simulator.sweep/1';

export interface SweepPointResult {
  index: number;
  /** Parameter name → value as typed. */
  settings: Record<string, string>;
  seeds: number[];
  passed: boolean;
  /** "seed N: assertion (value)" for every failed assertion of the point's runs. */
  failed_assertions: string[];
  hypotheses: string[];
  metrics: PointMetric[];
  /** Every model setting of the point's runs (results.json `options` of one run). */
  options: Record<string, unknown>;
}

export interface SweepResults {
  schema: string;
  scenario: string;
  file: string;
  definition_hash: string;
  seed: number;
  seeds_per_point: number;
  seed_rule: string;
  parameters: SweepDefinition['parameters'];
  runs: number;
  passed: boolean;
  points: SweepPointResult[];
}

/** `records` must hold every run of the sweep, in any order. */
export function buildSweepResults(definition: SweepDefinition, hash: string, records: readonly RunRecord[]): SweepResults {
  const byJob = [...records].sort((a, b) => a.job - b.job);
  const points = gridPoints(definition.parameters).map((p) => pointResult(definition, p.index, p.values, byJob.filter((r) => r.point === p.index)));
  return {
    schema: SWEEP_SCHEMA,
    scenario: definition.scenario,
    file: definition.file,
    definition_hash: hash,
    seed: definition.seed,
    seeds_per_point: definition.seeds_per_point,
    seed_rule: SEED_RULE,
    parameters: definition.parameters,
    runs: byJob.length,
    passed: points.every((p) => p.passed),
    points,
  };
}

function pointResult(definition: SweepDefinition, index: number, values: string[], runs: RunRecord[]): SweepPointResult {
  const first = runs[0];
  return {
    index,
    settings: Object.fromEntries(definition.parameters.map((p, i) => [p.name, values[i] as string])),
    seeds: runs.map((r) => r.seed),
    passed: runs.every((r) => r.passed),
    failed_assertions: runs.flatMap((r) => r.failed_assertions.map((a) => `seed ${r.seed}: ${a}`)),
    hypotheses: first?.hypotheses ?? [],
    metrics: summarisePoint(runs),
    options: first?.options ?? {},
  };
}

export function sweepResultsText(results: SweepResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
