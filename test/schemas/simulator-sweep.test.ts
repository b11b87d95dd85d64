/**
 * A sweep's results.json, as `relaylab sweep` writes it (runSweep, with the
 * command's in-process job runner swapped for worker threads as the
 * command does), validates against schemas/simulator-sweep.schema.json:
 * a 2-point, 2-seed sweep of a small scenario.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../simulator/sweep/run-sweep.ts';
import { runJobsInProcess } from '../../simulator/sweep/run-jobs.ts';
import { runJobsStoppable } from '../../simulator/workers/run-seeds.ts';
import { SWEEP_SCHEMA } from '../../simulator/sweep/sweep-results.ts';
import { problems } from './schemas.ts';

const SCENARIO = `name: small-sweep
peers: 8
duration: 1h
topology:
  - { kind: home-nat, share: 50%, port_forward: upnp }
  - { kind: public, share: 50% }
assertions:
  - false_expiries == 0
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaylab-sweep-schema-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('sweep results.json', () => {
  it('validates, schema first; without schema it is refused', async () => {
    const file = join(dir, 'small.yaml');
    await writeFile(file, SCENARIO);
    const outDir = join(dir, 'out');
    await runSweep({ file, sets: ['protocol.heartbeat_interval=10m,20m'], seeds: 2, outDir, write: () => {}, runJobs: runJobsInProcess, runJobsStoppable });
    const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(results)[0]).toBe('schema');
    expect(results.schema).toBe(SWEEP_SCHEMA);
    expect(problems('simulator-sweep', results)).toEqual([]);
    const { schema: _, ...unnamed } = results;
    expect(problems('simulator-sweep', unnamed)).toEqual([`(root) must have required property 'schema' {"missingProperty":"schema"}`]);
    // Its points' options are checked by the simulator results schema (referenced by $id).
    const [point, ...rest] = results.points as Array<{ options: Record<string, unknown> }>;
    expect(problems('simulator-sweep', { ...results, points: [{ ...point, options: { ...point?.options, peers: 'eight' } }, ...rest] })).not.toEqual([]);
  }, 60_000);
});
