/**
 * Nothing to measure is not 0. A statistic of an empty distribution, a
 * ratio with nothing to divide, a pair's time to connect with no success,
 * a mean over seeds without a value: each is null with a note, and an
 * assertion on it fails and says why, instead of reading a made-up 0
 * (which would let `p95(time_to_connect_ms) < 6000` pass in a run where
 * nobody ever connected, or `stale_lookup_ratio < 0.01` in one where
 * nobody looked anyone up).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { summariseSeeds } from './multi-seed.ts';
import { compareStrategies } from './strategy-comparison.ts';

const NO_TRAFFIC = `name: quiet
peers: 6
duration: 30m
topology:
  - kind: public
    share: 100%
traffic:
  lookups_per_peer_per_hour: 0
assertions:
  - p95(time_to_connect_ms) < 6000
  - count(time_to_connect_ms) == 0
  - connects == 0
`;

/** Public peers and homes without a forward: connects to the homes are tried and always fail. */
const CLOSED_HOMES = `name: closed
peers: 12
duration: 1h
lan_addressing: distinct
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    label: home
traffic:
  lookups_per_peer_per_hour: 8
`;

describe('results.json assertions', () => {
  it('fail on a statistic with no samples, naming the empty distribution; count and counters still judge', async () => {
    const results = await runScenario(parseScenario('quiet.yaml', NO_TRAFFIC));
    expect(results.distributions.time_to_connect_ms?.count).toBe(0);
    expect(results.assertions).toEqual([
      { assertion: 'p95(time_to_connect_ms) < 6000', value: null, passed: false, note: 'time_to_connect_ms has no samples in this run' },
      { assertion: 'count(time_to_connect_ms) == 0', value: 0, passed: true },
      { assertion: 'connects == 0', value: 0, passed: true },
    ]);
    expect(results.passed).toBe(false);
  });
});

describe('results.json: a ratio with nothing to divide is null, not 0', () => {
  const QUIET_RATIOS = NO_TRAFFIC.replace(/assertions:[\s\S]*$/, 'assertions:\n  - stale_lookup_ratio < 0.01\n  - connect_success_ratio >= 0\n  - lookups == 0\n');

  it('null with a note in metrics, and an assertion on it fails saying why', async () => {
    const results = await runScenario(parseScenario('quiet.yaml', QUIET_RATIOS));
    expect(results.metrics.stale_lookup_ratio).toBeNull();
    expect(results.metrics.connect_success_ratio).toBeNull();
    expect(results.metric_notes).toEqual({ stale_lookup_ratio: 'no lookup found a listed peer (nothing to divide)', connect_success_ratio: 'no connects (nothing to divide)' });
    expect(results.assertions).toEqual([
      { assertion: 'stale_lookup_ratio < 0.01', value: null, passed: false, note: 'stale_lookup_ratio has no value in this run: no lookup found a listed peer (nothing to divide)' },
      { assertion: 'connect_success_ratio >= 0', value: null, passed: false, note: 'connect_success_ratio has no value in this run: no connects (nothing to divide)' },
      { assertion: 'lookups == 0', value: 0, passed: true },
    ]);
    expect(results.passed).toBe(false);
  });

  it('a distribution with no samples has null statistics (not 0) and says so', async () => {
    const results = await runScenario(parseScenario('quiet.yaml', NO_TRAFFIC));
    expect(results.distributions.time_to_connect_ms).toEqual({ count: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, cdf: [], note: 'no samples' });
    expect(results.pairs[0]).toMatchObject({ tries: 0, success_ratio: null, note: 'no tries' });
  });
});

describe('results.json: pairs with tries but no successes', () => {
  it('--compare-strategies gives null times with a note, not "p95 0 ms"', async () => {
    const scenario = parseScenario('closed.yaml', CLOSED_HOMES);
    const sequential = await runScenario(scenario);
    const race = await runScenario({ ...scenario, strategy: 'race' });
    const row = compareStrategies(sequential, race).find((r) => r.caller === 'public' && r.callee === 'home');
    expect(row?.sequential.tries).toBeGreaterThan(0);
    for (const side of [row?.sequential, row?.race]) {
      expect(side).toMatchObject({ success_ratio: 0, attempts_p50: null, time_to_connect_p50_ms: null, time_to_connect_p95_ms: null, note: 'no successes' });
    }
  });
});

describe('--seeds summaries: a seed with nothing to measure is left out of the mean, not counted as 0', () => {
  it('the mean is over the seeds with a value, and the note names the others; none at all is null', async () => {
    const run = await runScenario(parseScenario('closed.yaml', CLOSED_HOMES));
    const ratio = run.metrics.connect_success_ratio as number;
    const empty = { ...run, seed: 9, metrics: { ...run.metrics, connect_success_ratio: null }, metric_notes: { connect_success_ratio: 'no connects (nothing to divide)' } };
    const mixed = summariseSeeds([run, empty]).metrics.find((m) => m.metric === 'connect_success_ratio');
    expect(mixed).toEqual({ metric: 'connect_success_ratio', mean: ratio, ci95: null, values: [ratio, null], note: 'no value in seed 9 (no connects (nothing to divide)); mean of the other one (one value: no interval)' });
    const none = summariseSeeds([empty, { ...empty, seed: 10 }]).metrics.find((m) => m.metric === 'connect_success_ratio');
    expect(none).toEqual({ metric: 'connect_success_ratio', mean: null, ci95: null, values: [null, null], note: 'no value in any seed: no connects (nothing to divide)' });
  });
});

describe('results.json: examples of broken invariants, and the expiry gap windows', () => {
  /** A memory-store relay that goes down loses every listed peer: false expiries (broken on purpose) and a gap each. */
  const RESTART = `name: restart
peers: 120
duration: 2h
join_spread: 30m
topology:
  - kind: public
    share: 100%
traffic:
  lookups_per_peer_per_hour: 30
relay:
  outages: [ { at: 1h, duration: 5m } ]
assertions:
  - false_expiries == 0
`;

  it('keeps up to ten verbatim examples per broken invariant, and only for those', async () => {
    const r = await runScenario(parseScenario('restart.yaml', RESTART));
    expect(r.metrics.false_expiries).toBeGreaterThan(10);
    expect(Object.keys(r.invariant_examples)).toEqual(['false_expiries']);
    const examples = r.invariant_examples.false_expiries ?? [];
    expect(examples).toHaveLength(10);
    for (const e of examples) {
      expect(Object.keys(e)).toEqual(['t_ms', 'caller', 'target', 'status', 'target_last_refresh_ms', 'target_listing_ended_ms']);
      // The relay lost its memory store when it went down at 1 h: that is when each target's listing ended.
      expect(e).toMatchObject({ status: 404, target_listing_ended_ms: 3_600_000 });
      expect(e.t_ms as number).toBeGreaterThan(3_600_000);
    }
  });

  it('lists the first 100 gap windows in full, counts them all, and says so', async () => {
    const r = await runScenario(parseScenario('restart.yaml', RESTART));
    expect(r.expiry_gaps.count).toBe(120);
    expect(r.expiry_gaps.windows).toHaveLength(100);
    expect(r.expiry_gaps.note).toBe('the first 100 of 120 windows; expiry_gap_ms covers all');
    expect(r.distributions.expiry_gap_ms?.count).toBe(120);
    expect(r.metrics.expiry_gaps).toBe(120);
  });
});
