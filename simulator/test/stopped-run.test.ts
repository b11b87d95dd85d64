/**
 * A run stopped early (Ctrl-C) closes what the truth keeps open until the
 * end at the stop: peers that crashed and are still listed count as listed
 * after departure. It used to report "none" for a stopped mass-churn run with
 * hundreds of crashed peers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenarioUntil } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

const MASS_CHURN = readFileSync(new URL('../../scenarios/mass-churn.yaml', import.meta.url), 'utf8');

describe('a run stopped early', () => {
  it('counts peers that departed and were still listed at the stop', async () => {
    const scenario = { ...parseScenario('mass-churn.yaml', MASS_CHURN), peers: 300 };
    let steps = 0;
    const run = await runScenarioUntil(scenario, { shouldStop: () => ++steps >= 10 });
    expect(run.stoppedAtMs).not.toBeNull();
    expect(run.results.counters.peersCrashed).toBeGreaterThan(0);
    expect(run.results.distributions.listed_after_departure_ms?.count).toBeGreaterThan(0);
  });
});
