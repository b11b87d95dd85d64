/**
 * SPEC ROB-*: the robustness cases pass against the reference relay, and
 * each robustness mutant fails its own ROB requirement and no other MUST.
 * ROB-3's time bounds are the requirement's own (1 s per answer, 2x the
 * median with a 20 ms floor), not this test's; so are ROB-1's 60 s and
 * ROB-2's 1 s. The relays here close unfinished handshakes after 3 s
 * instead of the default 10 s, so ROB-1 passes sooner; the mutant that
 * breaks ROB-1 keeps them for 120 s whatever this test asks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../reference/relay/http/start-relay.ts';
import { DEFAULT_RERUNS, runSuite, type SuiteResult } from './runner/run-suite.ts';
import { authOf, relayOptionsFor, startMutant } from './mutants/catalog.ts';
import { ROBUSTNESS_MUTANTS } from './mutants/robustness-mutants.ts';
import { rob1WaitMs } from './cases/robustness-connections.ts';
import type { AuthMode } from './runner/target.ts';

const ROB = ['ROB-*'];
const MTLS: AuthMode = { kind: 'mtls' };
const HEADER: AuthMode = { kind: 'header', headerName: 'x-ssl-cert' };
/** Short enough that ROB-1 passes in seconds, long enough for ROB-2's 200 handshakes on a loaded machine. */
const HANDSHAKE_TIMEOUT_MS = 3000;

async function runRob(relay: RunningRelay, reruns: number, auth: AuthMode = MTLS): Promise<SuiteResult> {
  return runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth }, only: ROB, seed: 7, maxWaitSeconds: 0, reruns });
}

/** ROB-3's time bounds on a shared 2-core machine: reported by the suite, never asserted here (the brief: no timed tests). */
const onlyTimingFindings = (c: SuiteResult['cases'][number]) => c.caseId.startsWith('ROB-3/') && c.findings.length > 0 && c.findings.every((f) => /answered within|median at most/.test(f.expected));
const notPassing = (result: SuiteResult) => result.cases.filter((c) => !['pass', 'not-applicable'].includes(c.verdict) && !onlyTimingFindings(c)).map((c) => `${c.caseId} (${c.verdict}): expected ${c.expected}; actual ${c.actual}`);
const robVerdicts = (result: SuiteResult) => result.requirements.filter((r) => r.id.startsWith('ROB-')).map((r) => `${r.id}=${r.verdict}`);

describe('ROB: robustness against the reference relay', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ port: 0, ttlSeconds: 30, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
  });
  afterAll(async () => relay?.close());

  it('closes silent connections, serves an honest client through slow headers, refuses costly certificates and unrepresentable capabilities, every sub-case judged on its own', async () => {
    const result = await runRob(relay, 0);
    expect(notPassing(result)).toEqual([]);
    const ids = result.cases.map((c) => c.caseId);
    expect(ids.filter((id) => id.startsWith('ROB-1/'))).toEqual(['ROB-1/silent-connections-closed']);
    expect(ids.filter((id) => id.startsWith('ROB-2/'))).toEqual(['ROB-2/honest-client-served-during-slow-headers']);
    expect(ids.filter((id) => id.startsWith('ROB-3/'))).toHaveLength(3);
    expect(ids.filter((id) => id.startsWith('ROB-5/'))).toHaveLength(4);
    // Over mutual TLS there is no certificate header to send twice.
    expect(result.cases.filter((c) => c.caseId.startsWith('ROB-4/')).map((c) => c.verdict)).toEqual(['not-applicable', 'not-applicable']);
    // The hostile registrations ran as a burst, alone, and the report says what the honest lookups saw.
    for (const c of result.cases.filter((k) => k.caseId.startsWith('ROB-3/') && !onlyTimingFindings(k))) {
      expect(c.concurrency).toBe(1);
      expect(c.exchanges.filter((e) => e.request.path === '/api/relay/register' && e.response?.status === 400).length).toBeGreaterThan(20);
    }
    // Both silent connections were closed by the relay (its 3 s handshake timeout), and the report says when.
    expect(result.facts['ROB-1 silent connections']).toMatch(/^connection that sends nothing: closed .* after \d+\.\d s; connection that sends half a TLS ClientHello: closed .* after \d+\.\d s$/);
    // The per-address cap (100) refused half the slow connections, which all came from the suite's address.
    expect(result.facts['ROB-2 slow connections']).toMatch(/^200 opened from the suite's address: 100 accepted, 100 refused by the relay/);
    expect(result.cases.find((c) => c.caseId.startsWith('ROB-2/'))?.concurrency).toBe(1);
    const timingOnly = result.cases.some(onlyTimingFindings);
    if (!timingOnly) expect(Object.keys(result.facts).filter((k) => k.startsWith('ROB-3 lookup p50'))).toHaveLength(3);
    expect(robVerdicts(result)).toEqual(['ROB-1=pass', 'ROB-2=pass', timingOnly ? 'ROB-3=warn' : 'ROB-3=pass', 'ROB-4=not-applicable', 'ROB-5=pass']);
  }, 120_000);

  it('behind a trusted proxy, refuses a certificate header naming two certificates, in two lines or in one', async () => {
    const proxied = await startRelay({ port: 0, ttlSeconds: 30, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, ...relayOptionsFor(HEADER) });
    try {
      const result = await runSuite({ target: { url: proxied.url, caPem: proxied.tlsCertificatePem, insecure: false, auth: HEADER }, only: ['ROB-4*'], seed: 7, maxWaitSeconds: 0, reruns: 0 });
      expect(result.cases.map((c) => `${c.caseId}: ${c.verdict}`)).toEqual([
        'ROB-4/ambiguous-certificate-header[two header lines]: pass',
        'ROB-4/ambiguous-certificate-header[two PEM blocks in one header]: pass',
      ]);
      // The repeated header is in the report as the one line HTTP lets it combine into.
      const ready = result.cases[0]?.exchanges.find((e) => e.request.path === '/api/relay/broadcast/ready' && e.response?.status === 400);
      expect(ready?.request.headers['x-ssl-cert']).toMatch(/^-----BEGIN%20CERTIFICATE-----.*, -----BEGIN%20CERTIFICATE-----/);
      expect(ready?.response?.body).toMatch(/"code":"ambiguous_client_certificate"/);
    } finally {
      await proxied.close();
    }
  }, 60_000);
});

describe('ROB-1 under --time-warp K: the 60 s are on the relay\'s clock', () => {
  it('waits 60/K real seconds, plus a tenth (100 ms to 2 s) for timer slack', () => {
    expect(rob1WaitMs(1)).toBe(62_000);
    expect(rob1WaitMs(10)).toBe(6600);
    expect(rob1WaitMs(60)).toBe(1100);
    expect(rob1WaitMs(3600)).toBe(117);
  });

  // Relays not really warped, standing in for warped ones: one closing after 150 ms real (10 s of a 60x clock), one after 5 s real (300 s of it).
  for (const [handshakeTimeoutMs, verdict] of [[150, 'pass'], [5000, 'fail']] as const) {
    it(`a relay closing unfinished handshakes after ${handshakeTimeoutMs} ms real ${verdict === 'pass' ? 'passes' : 'fails'} at --time-warp 60`, async () => {
      const relay = await startRelay({ port: 0, ttlSeconds: 30, handshakeTimeoutMs });
      try {
        const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: MTLS }, only: ['ROB-1*'], seed: 7, maxWaitSeconds: 0, reruns: 0, warp: 60 });
        const kase = result.cases[0];
        expect(kase?.verdict).toBe(verdict);
        expect(kase?.durationMs).toBeLessThan(4000);
        if (verdict === 'fail') expect(kase?.actual).toMatch(/still open after 60 s on the relay's clock \(1\.1 s real at --time-warp 60\)/);
        else expect(result.facts['ROB-1 silent connections']).toMatch(/after 0\.\d s real \(\d+\.\d s on the relay's clock at --time-warp 60\)/);
      } finally {
        await relay.close();
      }
    }, 30_000);
  }
});

describe('ROB mutants', () => {
  for (const mutant of ROBUSTNESS_MUTANTS) {
    it(`${mutant.name} fails ${mutant.breaks.join(', ')} and no other MUST`, async () => {
      const relay = await startMutant(mutant, 60, { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
      const reruns = mutant.reruns ?? DEFAULT_RERUNS;
      try {
        const result = await runRob(relay, reruns, authOf(mutant));
        const broken = result.requirements.filter((r) => r.verdict === 'fail' || r.verdict === 'warn').map((r) => r.id);
        expect(broken).toEqual(mutant.breaks);
        const mustFailures = result.requirements.filter((r) => r.level === 'MUST' && !['pass', 'untested', 'not-applicable'].includes(r.verdict)).map((r) => r.id);
        expect(mustFailures).toEqual(mutant.breaks.filter((id) => result.requirements.find((r) => r.id === id)?.level === 'MUST'));
        // Every sub-case of the broken requirement fails (reproducibly, when rerun); the other sections' pass, or do not apply.
        for (const c of result.cases) {
          const own = mutant.breaks.includes(c.requirements[0] ?? '');
          const other = authOf(mutant).kind === 'mtls' && c.caseId.startsWith('ROB-4/') ? 'not-applicable' : 'pass';
          expect({ id: c.caseId, verdict: c.verdict, stability: c.stability }).toEqual({ id: c.caseId, verdict: own ? 'fail' : other, stability: own && reruns > 0 ? 'deterministic' : null });
        }
      } finally {
        await relay.close();
      }
    }, 150_000);
  }
});
