/**
 * The conformance suite's results.json, as `relaylab conformance --reports`
 * writes it (writeReports), validates against
 * schemas/conformance-results.schema.json: a whole run against the
 * reference relay (test profile on, so expiry is checked by moving its
 * clock instead of waiting: about 15-40 s), failing runs that give every
 * other verdict (a mutant that never sees client certificates: fail and
 * blocked with a root cause; the foreign relay with its heartbeat route
 * removed, its own error codes and a 500 on a fractional port:
 * unimplemented, non-strict, fail rerun alone, skip), a run stopped by
 * Ctrl-C, and the example in reports/examples/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../reference/relay/http/start-relay.ts';
import { RELAY_EXTENSIONS } from '../../reference/relay/core/types.ts';
import { runSuite, type SuiteOptions } from '../../conformance/runner/run-suite.ts';
import { writeReports } from '../../conformance/runner/reports/write-reports.ts';
import { ALL_MUTANTS, startMutant } from '../../conformance/mutants/catalog.ts';
import { startForeignRelay } from '../../conformance/foreign-relays/index.ts';
import { problems, readSchema, ROOT } from './schemas.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaylab-conformance-schema-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

type Written = Record<string, unknown> & { cases: Array<{ verdict: string; stability: string | null }> };

/** Runs the suite against `url` and reads back the results.json writeReports wrote. */
async function writtenRun(name: string, url: string, caPem: string, options: Partial<SuiteOptions> = {}): Promise<Written> {
  const result = await runSuite({ target: { url, caPem, insecure: false, auth: { kind: 'mtls' } }, seed: 7, ...options });
  await writeReports(join(dir, name), result);
  return JSON.parse(await readFile(join(dir, name, 'results.json'), 'utf8')) as Written;
}

const verdicts = (r: Written): string[] => [...new Set(r.cases.map((c) => c.verdict))].sort();

describe('conformance results.json', () => {
  it('of a whole run against the reference relay validates, schema first', async () => {
    const relay = await startRelay({ port: 0, ttlSeconds: 3600, testMode: true, extensions: [...RELAY_EXTENSIONS] });
    try {
      const results = await writtenRun('reference', relay.url, relay.tlsCertificatePem, { maxWaitSeconds: 5 });
      expect(Object.keys(results).slice(0, 2)).toEqual(['schema', 'schemaVersion']);
      expect(results).toMatchObject({ schema: 'relaylab.conformance.results/2', schemaVersion: 2, exitCode: 0 });
      expect(Array.isArray(results.performance)).toBe(true);
      expect(problems('conformance-results', results)).toEqual([]);
    } finally {
      await relay.close();
    }
  }, 180_000);

  it('of a relay that never sees client certificates (a mutant) validates: fail, blocked, root causes', async () => {
    const mutant = ALL_MUTANTS.find((m) => m.name === 'ignores-client-certificates');
    if (mutant === undefined) throw new Error('mutant ignores-client-certificates is gone from conformance/mutants/');
    const relay = await startMutant(mutant, 8);
    try {
      const results = await writtenRun('mutant', relay.url, relay.tlsCertificatePem, { only: ['GEN-*', 'REG-*', 'READY-*', 'LOOKUP-*'], maxWaitSeconds: 0 });
      expect(verdicts(results)).toEqual(expect.arrayContaining(['blocked', 'fail']));
      expect(results.rootCauses).not.toEqual([]);
      expect(problems('conformance-results', results)).toEqual([]);
    } finally {
      await relay.close();
    }
  }, 120_000);

  it('of the foreign relay with defects validates: unimplemented, non-strict, deterministic fail, skip', async () => {
    const relay = await startForeignRelay({ errorStyle: 'own-codes', fractionalPort500: true, omitRoutes: ['heartbeat'] });
    try {
      const results = await writtenRun('foreign', relay.url, relay.caPem as string, { only: ['GEN-*', 'READY-2*', 'HB-*', 'ERR-1*', 'ERR-5*'], maxWaitSeconds: 0 });
      expect(verdicts(results)).toEqual(expect.arrayContaining(['fail', 'non-strict', 'skip', 'unimplemented']));
      expect(results.cases.some((c) => c.stability === 'deterministic')).toBe(true);
      expect(results.unimplemented).not.toEqual([]);
      expect(problems('conformance-results', results)).toEqual([]);
    } finally {
      await relay.close();
    }
  }, 120_000);

  it('of a run stopped by Ctrl-C validates with its partial marker', async () => {
    const relay = await startRelay({ port: 0, ttlSeconds: 8 });
    try {
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 1500);
      const results = await writtenRun('interrupted', relay.url, relay.tlsCertificatePem, { maxWaitSeconds: 30, signal: stop.signal });
      expect(results.partial).toMatchObject({ signal: 'SIGINT', note: expect.any(String) });
      expect(problems('conformance-results', results)).toEqual([]);
    } finally {
      await relay.close();
    }
  }, 120_000);

  it('reports/examples/conformance-reference-relay/results.json validates', async () => {
    const example = JSON.parse(await readFile(join(ROOT, 'reports/examples/conformance-reference-relay/results.json'), 'utf8')) as unknown;
    expect(problems('conformance-results', example)).toEqual([]);
  });

  it('a results.json without schema, of another version, with an unknown key or a malformed partial marker is refused', async () => {
    const relay = await startRelay({ port: 0, ttlSeconds: 8 });
    let results: Written;
    try {
      results = await writtenRun('small', relay.url, relay.tlsCertificatePem, { only: ['GEN-*'], maxWaitSeconds: 0 });
    } finally {
      await relay.close();
    }
    expect(problems('conformance-results', results)).toEqual([]);
    const { schema: _, ...unnamed } = results;
    expect(problems('conformance-results', unnamed)).toEqual([`(root) must have required property 'schema' {"missingProperty":"schema"}`]);
    expect(problems('conformance-results', { ...results, schema: 'relaylab.conformance.results/1' })).toHaveLength(1);
    expect(problems('conformance-results', { ...results, extra: true })).toEqual([`(root) must NOT have additional properties {"additionalProperty":"extra"}`]);
    expect(problems('conformance-results', { ...results, partial: { signal: 'SIGINT' } })).toEqual([`/partial must have required property 'note' {"missingProperty":"note"}`]);
    const [first, ...rest] = results.cases;
    expect(problems('conformance-results', { ...results, cases: [{ ...first, verdict: 'passed' }, ...rest] })).toHaveLength(1);
  }, 60_000);

  it('schema names the same version as schemaVersion', () => {
    const properties = readSchema('conformance-results').properties as Record<string, { const: unknown }>;
    expect(properties.schema?.const).toBe(`relaylab.conformance.results/${properties.schemaVersion?.const}`);
  });
});
