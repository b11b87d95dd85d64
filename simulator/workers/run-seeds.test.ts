import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { summariseSeeds } from '../report/multi-seed.ts';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { SEMI_SPACE_MIB } from '../heap-advice.ts';
import { runSeedsOnWorkers, seedWorkerLimits } from './run-seeds.ts';

describe('runSeedsOnWorkers', () => {
  it('gives, in seed order, exactly what an in-process run of each seed gives', async () => {
    const file = join(import.meta.dirname, '../../scenarios/mass-churn.yaml');
    const scenario = { ...parseScenario(file, readFileSync(file, 'utf8')), peers: 12, durationMs: 3_600_000, friendsPerPeer: 0 };
    const seeds = [5, 6, 7];
    const progress: number[] = [];
    const onWorkers = await runSeedsOnWorkers(scenario, seeds, (fraction) => progress.push(fraction), 2);
    // Progress only moves forward and ends with every seed done.
    expect(progress.length).toBeGreaterThanOrEqual(seeds.length);
    expect(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (progress[i - 1] as number)))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(onWorkers.map((r) => r.seed)).toEqual(seeds);
    const inProcess = await runScenario({ ...scenario, seed: 6 });
    expect(JSON.stringify(onWorkers[1])).toBe(JSON.stringify(inProcess));
    const summary = summariseSeeds(onWorkers);
    const lookups = summary.metrics.find((m) => m.metric === 'lookups');
    expect(lookups?.values).toEqual(onWorkers.map((r) => r.metrics.lookups));
    expect(lookups?.ci95).toBeGreaterThan(0);
  });

  it('gives its workers the semi-space simulation runs are measured with', async () => {
    // A worker only reports its young generation once garbage has made it grow: churn four million small objects.
    const churn = `const { parentPort } = require('node:worker_threads'); const v8 = require('node:v8');
      let keep = []; for (let i = 0; i < 4e6; i++) { keep.push({ i, a: [i] }); if (keep.length > 1e6) keep = []; }
      parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);`;
    const limits = seedWorkerLimits();
    const worker = new Worker(churn, { eval: true, resourceLimits: limits });
    const newSpaceBytes = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    // The new space is the two semi-spaces.
    expect(newSpaceBytes / 2 ** 20).toBe(2 * SEMI_SPACE_MIB);
  });

  it("gives its workers the main thread's old-space limit, as --max-old-space-size set it", () => {
    // 6,000 MiB, well clear of node's default here (about 4,300), so a fixed or default limit shows.
    const code = `import('./simulator/workers/run-seeds.ts').then((m) => console.log(JSON.stringify(m.seedWorkerLimits())))`;
    const child = spawnSync(process.execPath, ['--max-old-space-size=6000', '--import', 'tsx', '-e', code], { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const limits = JSON.parse(child.stdout) as { maxOldGenerationSizeMb: number };
    // The reported limit is the old space plus V8's young-generation reserve: at least the 6,000 asked for.
    expect(limits.maxOldGenerationSizeMb).toBeGreaterThanOrEqual(6000);
    expect(limits.maxOldGenerationSizeMb).toBeLessThan(6000 + 512);
  });
});
