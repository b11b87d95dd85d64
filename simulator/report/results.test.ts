/**
 * Assertion verdicts in results.json: a statistic of an empty distribution
 * has no value, so an assertion on it fails and says why, instead of
 * reading a made-up 0 (which would let `p95(time_to_connect_ms) < 6000`
 * pass in a run where nobody ever connected).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

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
