import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSweepFiles } from './merge-command.ts';
import { runJobsInProcess, runJobsOnWorkers } from './run-jobs.ts';
import { runSweep, type SweepOptions } from './run-sweep.ts';
import type { SweepResults } from './sweep-results.ts';

const TINY = `# a tiny scenario for sweep tests
name: tiny
peers: 12
duration: 1h
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    port_forward: upnp
assertions:
  - false_expiries == 0
  - p95(listed_after_departure_ms) < 3600000
`;
const SETS = ['protocol.heartbeat_interval=10m,30m', 'churn.crashes_per_hour=0%,20%'];

function tinyFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, TINY);
  return { dir, file };
}

function sweep(file: string, out: string, extra: Partial<SweepOptions> = {}): ReturnType<typeof runSweep> {
  return runSweep({ file, sets: SETS, seeds: 3, outDir: out, write: () => {}, runJobs: runJobsInProcess, ...extra });
}

const read = (path: string): string => readFileSync(path, 'utf8');

describe('relaylab sweep: 3 shards merged give the unsharded bytes', () => {
  it('results.json and report.html are byte-identical, worker threads or not', async () => {
    const { dir, file } = tinyFile();
    await sweep(file, join(dir, 'whole'), { runJobs: runJobsOnWorkers(2) });
    const shards = [];
    for (const i of [2, 0, 1]) shards.push(...(await sweep(file, join(dir, 'shards'), { shard: `${i}/3` })).written);
    expect(shards.map((p) => p.slice(dir.length))).toEqual(['/shards/shard-2-of-3.json', '/shards/shard-0-of-3.json', '/shards/shard-1-of-3.json']);
    const merged = await mergeSweepFiles(shards, join(dir, 'merged'));
    expect(read(merged.resultsPath)).toBe(read(join(dir, 'whole/results.json')));
    expect(read(merged.reportPath)).toBe(read(join(dir, 'whole/report.html')));
    // And the same inputs again, in this thread, give the same bytes.
    await sweep(file, join(dir, 'again'));
    expect(read(join(dir, 'again/results.json'))).toBe(read(join(dir, 'whole/results.json')));
  });
});

describe('sweep results.json', () => {
  it('lists every point\'s settings, seeds by the rule, and per-metric means with 95% CIs; nothing to measure is null with a note', async () => {
    const { dir, file } = tinyFile();
    const lines: string[] = [];
    const outcome = await sweep(file, join(dir, 'out'), { seed: 40, write: (l) => lines.push(l) });
    const r = JSON.parse(read(join(dir, 'out/results.json'))) as SweepResults;
    expect(r).toMatchObject({ schema: 'relaylab.simulator.sweep/1', scenario: 'tiny', seed: 40, seeds_per_point: 3, runs: 12, definition_hash: outcome.plan.hash });
    expect(r.points.map((p) => [p.settings, p.seeds])).toEqual([
      [{ 'protocol.heartbeat_interval': '10m', 'churn.crashes_per_hour': '0%' }, [40, 41, 42]],
      [{ 'protocol.heartbeat_interval': '10m', 'churn.crashes_per_hour': '20%' }, [43, 44, 45]],
      [{ 'protocol.heartbeat_interval': '30m', 'churn.crashes_per_hour': '0%' }, [46, 47, 48]],
      [{ 'protocol.heartbeat_interval': '30m', 'churn.crashes_per_hour': '20%' }, [49, 50, 51]],
    ]);
    expect(r.points.map((p) => p.options.heartbeat_interval_ms)).toEqual([600_000, 600_000, 1_800_000, 1_800_000]);
    const metric = (point: number, name: string) => r.points[point]?.metrics.find((m) => m.metric === name);
    // Fewer heartbeats, fewer relay requests.
    expect(metric(0, 'relay_requests')?.mean).toBeGreaterThan(metric(2, 'relay_requests')?.mean as number);
    expect(metric(0, 'relay_requests')?.ci95).toBeGreaterThanOrEqual(0);
    // No crashes: no peer departed, so nothing was listed after departing, and the assertion on it fails rather than reading 0.
    expect(metric(0, 'mean(listed_after_departure_ms)')).toEqual({ metric: 'mean(listed_after_departure_ms)', mean: null, ci95: null, values: [null, null, null], note: 'no value in any seed: no samples' });
    expect(r.points[0]?.passed).toBe(false);
    expect(r.points[0]?.failed_assertions[0]).toBe('seed 40: p95(listed_after_departure_ms) < 3600000 (listed_after_departure_ms has no samples in this run)');
    expect(metric(1, 'mean(listed_after_departure_ms)')?.mean).toBeGreaterThan(0);
    expect(lines[0]).toBe(`sweep ${file}: 4 points × 3 seeds = 12 runs (protocol.heartbeat_interval=10m,30m churn.crashes_per_hour=0%,20%), base seed 40, 12 peers, 1h`);
    expect(lines).toContain(`reproduce a failing run: relaylab sweep ${file} --set protocol.heartbeat_interval=10m --set churn.crashes_per_hour=0% --seed 40 --seeds 1`);
  });
});

describe('relaylab report --merge refuses shards that do not make one sweep', () => {
  it('names the file and the reason in one line', async () => {
    const { dir, file } = tinyFile();
    const shard = async (out: string, i: number, n: number, extra: Partial<SweepOptions> = {}) => (await sweep(file, join(dir, out), { shard: `${i}/${n}`, ...extra })).written[0] as string;
    const [a0, a1, a2] = [await shard('a', 0, 3), await shard('a', 1, 3), await shard('a', 2, 3)];
    const other = await shard('b', 1, 3, { seed: 9 });
    const otherN = await shard('c', 1, 2);
    const merge = (paths: string[]) => mergeSweepFiles(paths, join(dir, 'merged'));
    await expect(merge([a0, other, a2])).rejects.toThrow(new RegExp(`^--merge: ${other} is a shard of another sweep than ${a0} \\(sweep [0-9a-f]{12} vs [0-9a-f]{12}: the scenario file, --set values, --seed or --seeds differ\\)$`));
    await expect(merge([a0, otherN])).rejects.toThrow(`--merge: ${otherN} is shard 1/2 but ${a0} is shard 0/3: merge the shards of one slicing (the same N)`);
    await expect(merge([a0, a1, a0])).rejects.toThrow(`--merge: shard 0/3 is given twice: ${a0} and ${a0}`);
    await expect(merge([a2, a0])).rejects.toThrow('--merge: shard 1/3 is missing (given: 0/3, 2/3)');
    await expect(merge([a1])).rejects.toThrow('--merge: shards 0/3, 2/3 are missing (given: 1/3)');
    const cut = join(dir, 'cut.json');
    const parsed = JSON.parse(read(a1));
    writeFileSync(cut, JSON.stringify({ ...parsed, runs: parsed.runs.slice(1) }));
    await expect(merge([a0, cut, a2])).rejects.toThrow(`--merge: ${cut}: shard 1/3 should hold 4 of the sweep's 12 runs, but its 3 runs are not those (cut short or edited?)`);
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...parsed, definition: { ...parsed.definition, seed: 2 } }));
    await expect(merge([a0, edited, a2])).rejects.toThrow(`${edited}: its sweep definition does not match its definition_hash (edited?)`);
    await sweep(file, join(dir, 'whole'));
    await expect(merge([a0, join(dir, 'whole/results.json')])).rejects.toThrow(`--merge: ${join(dir, 'whole/results.json')} is a whole sweep's results.json, already merged`);
    writeFileSync(join(dir, 'conformance.json'), '{"schemaVersion": 2}');
    await expect(merge([a0, join(dir, 'conformance.json')])).rejects.toThrow('is not a sweep shard (schema relaylab.simulator.sweep-shard/1) but others are');
  });
});
