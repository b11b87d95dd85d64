/**
 * results.json's `options` must tell any two models apart: a setting
 * missing from it would let two different runs carry the same options
 * (as relay_traffic_from once did). Each scenario setting is changed in
 * turn, including every field of a topology class and its NATs, and the
 * options must change with it.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { hypothesesOf, modelOptions } from './model-options.ts';

const BASE = parseScenario(
  'base.yaml',
  `name: base
peers: 10
duration: 1h
topology:
  - kind: cgnat
    share: 100%
relay:
  outages: [ { at: 10m, duration: 1m } ]
  extensions: [goodbye]
faults:
  heartbeat_blackouts: [ { at: 20m, duration: 5m } ]
`,
);

/** What runs, not how it is named or judged: these need not be in `options`. */
const NOT_MODEL = new Set(['file', 'name', 'seed', 'assertions']);

/** Every leaf of `value` (path and a changed copy of the whole), recursively through objects and arrays. */
function variants(value: unknown, path: string): Array<[string, unknown]> {
  if (typeof value === 'number') return [[path, value + 1]];
  if (typeof value === 'boolean') return [[path, !value]];
  if (typeof value === 'string') return [[path, `${value}-changed`]];
  if (value === null) return [[path, 1234]];
  if (Array.isArray(value)) return value.flatMap((item, i) => variants(item, `${path}[${i}]`).map(([p, v]): [string, unknown] => [p, value.map((x, j) => (j === i ? v : x))]));
  return Object.entries(value as object).flatMap(([key, item]) => variants(item, `${path}.${key}`).map(([p, v]): [string, unknown] => [p, { ...(value as object), [key]: v }]));
}

const CHANGES = Object.entries(BASE)
  .filter(([key]) => !NOT_MODEL.has(key))
  .flatMap(([key, value]) => variants(value, key).map(([path, changed]) => ({ path, scenario: { ...BASE, [key]: changed } as Scenario })));

describe('options in results.json', () => {
  it('covers every setting of the scenario (the list is not empty)', () => {
    expect(CHANGES.length).toBeGreaterThan(40);
    expect(CHANGES.map((c) => c.path)).toContain('relayTrafficFrom');
    expect(CHANGES.map((c) => c.path)).toContain('topology[0].carrierNat.transitoryTimeoutMs');
    expect(CHANGES.map((c) => c.path)).toEqual(expect.arrayContaining(['relayExtensions[0]', 'retryDelayMs']));
  });

  it.each(CHANGES)('changes when $path changes', ({ scenario }) => {
    expect(JSON.stringify(modelOptions(scenario))).not.toBe(JSON.stringify(modelOptions(BASE)));
  });

  it('differ between the reference peer and the shared-port hypothesis, which alone is named a hypothesis', async () => {
    const reference = await runScenario(BASE);
    const hypothesis = await runScenario({ ...BASE, relayTrafficFrom: 'shared-port-hypothesis' });
    expect(reference.options.relay_traffic_from).toBe('ephemeral');
    expect(hypothesis.options.relay_traffic_from).toBe('shared-port-hypothesis');
    expect(reference.hypotheses).toEqual([]);
    expect(hypothesis.hypotheses).toEqual(hypothesesOf({ ...BASE, relayTrafficFrom: 'shared-port-hypothesis' }));
    expect(hypothesis.hypotheses[0]).toMatch(/^relay_traffic_from: shared-port-hypothesis\. .*The reference peer does not do this/);
  });
});
