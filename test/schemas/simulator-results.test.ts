/**
 * The simulator's results.json files, as `relaylab simulate` writes them
 * (simulate(), the function the command calls), validate against
 * schemas/simulator-results.schema.json and, with --seeds K,
 * schemas/simulator-multi-seed.schema.json: a reduced run of every shipped
 * scenario (12 peers, 1 h at most, so the whole file stays near half a
 * minute), one with both comparisons, a multi-seed one, and the example
 * in reports/examples/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, loadScenarioFile } from '../../simulator/simulate-cli.ts';
import { runSeedsStoppable } from '../../simulator/workers/run-seeds.ts';
import { RESULTS_SCHEMA } from '../../simulator/report/results.ts';
import { MULTI_SEED_SCHEMA } from '../../simulator/report/multi-seed.ts';
import { DISTRIBUTION_METRICS, SCALAR_METRICS } from '../../simulator/scenario/assertions.ts';
import { problems, readSchema, ROOT } from './schemas.ts';

const SCENARIOS = join(ROOT, 'scenarios');
const PEERS = 12;
const HOUR_MS = 3_600_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaylab-sim-schema-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** results.json as simulate() wrote it with the command's seed runner (worker threads), parsed; the scenario file's outages and blackouts past the shortened end simply do not happen. */
async function written(file: string, options: Partial<Parameters<typeof simulate>[0]> = {}): Promise<Record<string, unknown>> {
  const scenario = await loadScenarioFile(file);
  const outDir = join(dir, `${scenario.name}-${Object.keys(options).join('-') || 'plain'}`);
  await simulate({ file, outDir, peers: Math.min(scenario.peers, PEERS), durationMs: Math.min(scenario.durationMs, HOUR_MS), write: () => {}, runSeedsStoppable, ...options });
  const text = await readFile(join(outDir, 'results.json'), 'utf8');
  return JSON.parse(text) as Record<string, unknown>;
}

describe('simulator results.json', () => {
  const shipped = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).sort();

  it.each(shipped)('a reduced run of scenarios/%s validates, with schema first', async (file) => {
    const results = await written(join(SCENARIOS, file));
    expect(Object.keys(results)[0]).toBe('schema');
    expect(results.schema).toBe(RESULTS_SCHEMA);
    expect(problems('simulator-results', results)).toEqual([]);
  }, 60_000);

  it('a run with --compare-strategies and --compare-extensions validates (their optional sections included)', async () => {
    const results = await written(join(SCENARIOS, 'extensions.yaml'), { compareStrategies: true, compareExtensions: ['goodbye'] });
    expect(Object.keys(results)).toEqual(expect.arrayContaining(['strategy_comparison', 'extension_comparison']));
    expect(problems('simulator-results', results)).toEqual([]);
  }, 60_000);

  it('a --seeds 3 run validates against the multi-seed schema, schema first, each run against the one-seed schema', async () => {
    const results = await written(join(SCENARIOS, 'same-lan.yaml'), { seeds: 3 });
    expect(Object.keys(results)).toEqual(['schema', 'seeds', 'metrics', 'passed', 'runs']);
    expect(results.schema).toBe(MULTI_SEED_SCHEMA);
    expect(problems('simulator-multi-seed', results)).toEqual([]);
    // The $id reference really checks the runs: a run without its schema is refused inside the multi-seed file.
    const [first, ...rest] = results.runs as Array<Record<string, unknown>>;
    const { schema: _, ...unnamed } = first as Record<string, unknown>;
    expect(problems('simulator-multi-seed', { ...results, runs: [unnamed, ...rest] })).toEqual([`/runs/0 must have required property 'schema' {"missingProperty":"schema"}`]);
  }, 60_000);

  it('reports/examples/simulator-same-lan/results.json validates', async () => {
    const example = JSON.parse(await readFile(join(ROOT, 'reports/examples/simulator-same-lan/results.json'), 'utf8')) as unknown;
    expect(problems('simulator-results', example)).toEqual([]);
  });

  it('a results.json without schema, with an unknown key or with a partial marker of another shape is refused; a partial marker as Ctrl-C writes it is not', async () => {
    const results = await written(join(SCENARIOS, 'same-lan.yaml'));
    const { schema: _, ...unnamed } = results;
    expect(problems('simulator-results', unnamed)).toEqual([`(root) must have required property 'schema' {"missingProperty":"schema"}`]);
    expect(problems('simulator-results', { ...results, schema: 'relaylab.simulator.results/1' })).toHaveLength(1);
    expect(problems('simulator-results', { ...results, extra: 1 })).toEqual([`(root) must NOT have additional properties {"additionalProperty":"extra"}`]);
    expect(problems('simulator-results', { ...results, partial: { signal: 'SIGINT', note: 'interrupted at 41% of virtual time' } })).toEqual([]);
    expect(problems('simulator-results', { ...results, partial: { signal: 'SIGINT', note: 'x', at: 3 } })).toHaveLength(1);
    expect(problems('simulator-multi-seed', { seeds: [1], metrics: [], passed: true, runs: [results] })).toEqual([`(root) must have required property 'schema' {"missingProperty":"schema"}`]);
  }, 60_000);

  it('names every scalar metric and distribution the simulator has (one list, in simulator/scenario/assertions.ts)', () => {
    const properties = readSchema('simulator-results').properties as Record<string, { required: string[] }>;
    expect(properties.metrics?.required).toEqual([...SCALAR_METRICS]);
    expect(properties.distributions?.required).toEqual([...DISTRIBUTION_METRICS]);
  });
});

describe('simulator results.json of a run stopped by Ctrl-C', () => {
  it('validates with its partial marker, right after schema', async () => {
    const file = join(SCENARIOS, 'mass-churn.yaml');
    const outDir = join(dir, 'interrupted');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1500);
    // Long enough that the abort lands mid-run on any machine: 30 days of virtual time.
    await simulate({ file, outDir, peers: 200, durationMs: 30 * 24 * HOUR_MS, write: () => {}, runSeedsStoppable, signal: stop.signal });
    const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(results).slice(0, 2)).toEqual(['schema', 'partial']);
    expect(problems('simulator-results', results)).toEqual([]);
  }, 60_000);
});
