import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';

/** CI runs every shipped scenario at reduced size: its own assertions must hold. */
const DIR = join(import.meta.dirname, '../../scenarios');
const REDUCED_PEERS = 24;

describe('shipped scenarios at reduced size', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
  it.each(files)('%s holds its assertions', async (file) => {
    const scenario = parseScenario(file, readFileSync(join(DIR, file), 'utf8'));
    const results = await runScenario({ ...scenario, peers: Math.min(scenario.peers, REDUCED_PEERS) });
    expect(results.assertions.length).toBeGreaterThan(0);
    expect(results.assertions.filter((a) => !a.passed)).toEqual([]);
  });
});
