import { describe, expect, it } from 'vitest';
import { checkGridSize, gridPoints, MAX_RUNS, seedOf, sweepJobs } from './grid.ts';
import { inShard, parseShard } from './shard.ts';

const two = [{ values: ['10m', '20m', '30m'] }, { values: ['1%', '5%'] }];

describe('the sweep grid', () => {
  it('is the cartesian product, the first --set varying slowest', () => {
    expect(gridPoints(two).map((p) => p.values.join(' '))).toEqual(['10m 1%', '10m 5%', '20m 1%', '20m 5%', '30m 1%', '30m 5%']);
  });

  it('gives point p, replicate k the seed base + p × seeds + k: point 0 gets simulate --seeds K\'s seeds, no two runs share one', () => {
    const jobs = sweepJobs(6, 5, 7);
    expect(jobs.slice(0, 6).map((j) => [j.point, j.replicate, j.seed])).toEqual([[0, 0, 7], [0, 1, 8], [0, 2, 9], [0, 3, 10], [0, 4, 11], [1, 0, 12]]);
    expect(new Set(jobs.map((j) => j.seed)).size).toBe(30);
    expect(seedOf(0xffff_ffff, 1, 0, 1)).toBe(0);
  });

  it(`refuses more than ${MAX_RUNS} runs, saying how the grid multiplies out`, () => {
    expect(() => checkGridSize(two, 33)).not.toThrow();
    expect(() => checkGridSize(two, 34)).toThrow('--set: the grid is 3 × 2 = 6 points × 34 seeds = 204 runs, more than 200; sweep fewer values or seeds, or split it into several sweeps');
  });
});

describe('--shard I/N', () => {
  it('deals the (point, seed) list out round-robin: every run in exactly one shard', () => {
    const jobs = sweepJobs(6, 5, 1);
    const shards = [0, 1, 2].map((index) => jobs.filter((j) => inShard(j, { index, count: 3 })).map((j) => j.index));
    expect(shards[0]).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(jobs.map((j) => j.index));
  });

  it.each([
    ['2/3', { index: 2, count: 3 }],
    [' 0 / 1 ', { index: 0, count: 1 }],
  ])('reads %j', (text, shard) => expect(parseShard(text)).toEqual(shard));

  it.each([
    ['3/3', '--shard 3/3: I must be from 0 to 2 (0-based, like JOB_COMPLETION_INDEX)'],
    ['1/0', '--shard 1/0: N must be from 1 to 1000'],
    ['1of3', '--shard: expected I/N with 0 <= I < N, e.g. 0/3 (0-based, like JOB_COMPLETION_INDEX), got "1of3"'],
  ])('refuses %j', (text, message) => expect(() => parseShard(text)).toThrow(message));
});
