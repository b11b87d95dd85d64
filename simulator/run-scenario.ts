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
  return (await runScenarioUntil(scenario, { onProgress: onProgress && ((p) => onProgress(p.elapsedMs)) })).results;
}

export interface RunProgress {
  /** Virtual time reached. */
  elapsedMs: number;
  events: number;
}

export interface RunControl {
  onProgress?: (progress: RunProgress) => void;
  /** Asked at each progress step (1% of the virtual span, see engine/simulation.ts); true stops the run there. */
  shouldStop?: () => boolean;
}

export interface ControlledRun {
  /** What was measured up to the stop (all of it when not stopped). */
  results: Results;
  /** The virtual time the run was stopped at; null when it ran to its end. */
  stoppedAtMs: number | null;
}

/** Thrown out of the engine's progress callback to stop between two events; caught here. */
class RunStopped extends Error {}

/**
 * runScenario that can be stopped early (Ctrl-C). The stop is checked
 * between events, so a run that is not stopped is exactly runScenario's.
 */
export async function runScenarioUntil(scenario: Scenario, control: RunControl): Promise<ControlledRun> {
  const world = new World(scenario);
  let stoppedAtMs: number | null = null;
  const onProgress = (elapsedMs: number): void => {
    control.onProgress?.({ elapsedMs, events: world.sim.eventsProcessed });
    if (control.shouldStop?.() === true) throw new RunStopped();
  };
  try {
    await world.run(control.onProgress || control.shouldStop ? onProgress : undefined);
  } catch (error) {
    if (!(error instanceof RunStopped)) throw error;
    stoppedAtMs = world.sim.clock.elapsedMs();
    // Close what the truth keeps open until the end (listing intervals, expiry gaps) at the stop instead.
    world.finishTruth(stoppedAtMs);
  }
  return { results: buildResults(scenario, world.measurements, world.sim.eventsProcessed), stoppedAtMs };
}
