import { describe, expect, it } from 'vitest';
import { axisPositions } from './axis.ts';
import type { RunRecord } from './run-record.ts';
import { summarisePoint } from './summarise.ts';

function run(seed: number, value: number | null): RunRecord {
  return { job: seed, point: 0, replicate: seed, seed, passed: true, failed_assertions: [], values: { stale_lookup_ratio: value }, notes: value === null ? { stale_lookup_ratio: 'no lookup found a listed peer (nothing to divide)' } : {}, options: {}, hypotheses: [] };
}

describe('a sweep point over its seeds', () => {
  it('leaves a seed without a value out of the mean and CI, and says which and why', () => {
    expect(summarisePoint([run(1, 0.1), run(2, null), run(3, 0.3)])).toEqual([
      { metric: 'stale_lookup_ratio', mean: 0.2, ci95: 1.270600, values: [0.1, null, 0.3], note: 'no value in seed 2 (no lookup found a listed peer (nothing to divide)); mean and CI over the other 2' },
    ]);
  });

  it('gives null, not 0, when no seed has a value', () => {
    expect(summarisePoint([run(1, null), run(2, null)])[0]).toMatchObject({ mean: null, ci95: null, note: 'no value in any seed: no lookup found a listed peer (nothing to divide)' });
  });
});

describe('a swept value\'s place on the x axis', () => {
  it.each([
    [['10m', '20m', '60m'], [0, 0.2, 1]],
    [['1%', '0.03', '5%'], [0, 0.5, 1]],
    [['2', '4', '10'], [0, 0.25, 1]],
    [['sequential', 'race'], [0, 1]],
    [['30m'], [0.5]],
  ])('%j → %j', (values, positions) => {
    expect(axisPositions(values).map((p) => Math.round(p * 1e9) / 1e9)).toEqual(positions);
  });
});
