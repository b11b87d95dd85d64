/**
 * Runs one scenario with one seed: builds the World, runs it to the end of
 * the scenario's duration, and returns the results. Overrides come from
 * the command line (--seed, --peers, --duration, --strategy).
 */
import { buildResults, type Results } from './report/results.ts';
import type { Scenario } from './scenario/scenario.ts';
import { checkScenarioLimits } from './scenario/scenario-limits.ts';
import { World } from './world/world.ts';

export interface ScenarioOverrides {
  seed?: number;
  peers?: number;
  durationMs?: number;
  strategy?: Scenario['strategy'];
}

/** The scenario with the command line's values in place, checked again as a whole (see scenario-limits.ts). */
export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const overridden: Scenario = {
    ...scenario,
    seed: overrides.seed ?? scenario.seed,
    peers: overrides.peers ?? scenario.peers,
    durationMs: overrides.durationMs ?? scenario.durationMs,
    strategy: overrides.strategy ?? scenario.strategy,
  };
  checkScenarioLimits(overridden, 'options');
  return overridden;
}

export async function runScenario(scenario: Scenario, onProgress?: (elapsedMs: number) => void): Promise<Results> {
  const world = new World(scenario);
  await world.run(onProgress);
  return buildResults(scenario, world.measurements, world.sim.eventsProcessed);
}
