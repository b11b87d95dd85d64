/**
 * SPEC ROB-*: the robustness cases pass against the reference relay, and
 * each robustness mutant fails its own ROB requirement and no other MUST.
 * ROB-3's time bounds are the requirement's own (1 s per answer, 2x the
 * median with a 20 ms floor), not this test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../reference/relay/http/start-relay.ts';
import { runSuite, type SuiteResult } from './runner/run-suite.ts';
import { startMutant } from './mutants/catalog.ts';
import { ROBUSTNESS_MUTANTS } from './mutants/robustness-mutants.ts';

const ROB = ['ROB-*'];

async function runRob(relay: RunningRelay, reruns: number): Promise<SuiteResult> {
  return runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ROB, seed: 7, maxWaitSeconds: 0, reruns });
}

/** ROB-3's time bounds on a shared 2-core machine: reported by the suite, never asserted here (the brief: no timed tests). */
const onlyTimingFindings = (c: SuiteResult['cases'][number]) => c.caseId.startsWith('ROB-3/') && c.findings.length > 0 && c.findings.every((f) => /answered within|median at most/.test(f.expected));
const notPassing = (result: SuiteResult) => result.cases.filter((c) => c.verdict !== 'pass' && !onlyTimingFindings(c)).map((c) => `${c.caseId} (${c.verdict}): expected ${c.expected}; actual ${c.actual}`);

describe('ROB: robustness against the reference relay', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ port: 0, ttlSeconds: 30 });
  });
  afterAll(async () => relay?.close());

  it('refuses costly certificates and unrepresentable capabilities, every sub-case judged on its own', async () => {
    const result = await runRob(relay, 0);
    expect(notPassing(result)).toEqual([]);
    const ids = result.cases.map((c) => c.caseId);
    expect(ids.filter((id) => id.startsWith('ROB-3/'))).toHaveLength(3);
    expect(ids.filter((id) => id.startsWith('ROB-5/'))).toHaveLength(4);
    // The hostile registrations ran as a burst, alone, and the report says what the honest lookups saw.
    for (const c of result.cases.filter((k) => k.caseId.startsWith('ROB-3/') && !onlyTimingFindings(k))) {
      expect(c.concurrency).toBe(1);
      expect(c.exchanges.filter((e) => e.request.path === '/api/relay/register' && e.response?.status === 400).length).toBeGreaterThan(20);
    }
    const timingOnly = result.cases.some(onlyTimingFindings);
    if (!timingOnly) expect(Object.keys(result.facts).filter((k) => k.startsWith('ROB-3 lookup p50'))).toHaveLength(3);
    expect(result.requirements.filter((r) => r.id.startsWith('ROB-')).map((r) => `${r.id}=${r.verdict}`)).toEqual([timingOnly ? 'ROB-3=warn' : 'ROB-3=pass', 'ROB-5=pass']);
  }, 120_000);
});

describe('ROB mutants', () => {
  for (const mutant of ROBUSTNESS_MUTANTS) {
    it(`${mutant.name} fails ${mutant.breaks.join(', ')} and no other MUST`, async () => {
      const relay = await startMutant(mutant, 60);
      try {
        const result = await runRob(relay, 2);
        const broken = result.requirements.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => r.id);
        expect(broken).toEqual(mutant.breaks);
        const mustFailures = result.requirements.filter((r) => r.level === 'MUST' && r.verdict !== 'pass' && r.verdict !== 'untested').map((r) => r.id);
        expect(mustFailures).toEqual(mutant.breaks.filter((id) => result.requirements.find((r) => r.id === id)?.level === 'MUST'));
        // Every sub-case of the broken requirement fails, reproducibly; the other section's pass.
        for (const c of result.cases) {
          const own = mutant.breaks.includes(c.requirements[0] ?? '');
          expect({ id: c.caseId, verdict: c.verdict, stability: c.stability }).toEqual({ id: c.caseId, verdict: own ? 'fail' : 'pass', stability: own ? 'deterministic' : null });
        }
      } finally {
        await relay.close();
      }
    }, 120_000);
  }
});
