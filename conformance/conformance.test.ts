/**
 * The suite against the real reference relay over real HTTPS: every MUST
 * passes, with a short TTL, in under 60 s; the test-clock path and the
 * header-auth path work too.
 */
import { RELAY_EXTENSIONS } from '../reference/relay/core/types.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../reference/relay/http/start-relay.ts';
import { runSuite, type SuiteResult } from './runner/run-suite.ts';
import { loadBaseline, type Baseline } from './runner/baseline.ts';

const KNOWN_FAILURES_PATH = new URL('./reference-known-failures.txt', import.meta.url).pathname;

// Short enough to wait out, long enough that a loaded CI machine does not expire broadcasts mid-case.
const SHORT_TTL_SECONDS = 8;

/** Cases that did not pass, were not skipped for a stated reason and are not accepted in reference-known-failures.txt. */
function failing(result: SuiteResult, baseline: Baseline | null = null): string[] {
  const fine = new Set(['pass', 'skip', 'not-applicable']);
  // PERF-1's verdict is a latency on a shared, noisy machine: measured here (see below), never asserted (the brief: no timed tests).
  const timed = (c: { caseId: string }) => c.caseId.startsWith('PERF-');
  return result.cases.filter((c) => !fine.has(c.verdict) && !timed(c) && !baseline?.covers(c.caseId, c.requirements[0] ?? '')).map((c) => `${c.caseId} (${c.verdict}): expected ${c.expected}; actual ${c.actual}`);
}

describe('conformance suite against the reference relay', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ port: 0, ttlSeconds: SHORT_TTL_SECONDS, cleanupIntervalSeconds: 1, extensions: [...RELAY_EXTENSIONS] });
  });
  afterAll(async () => relay?.close());

  it('passes every MUST requirement, waiting out expiry in real time, in under 60 s', async () => {
    const started = Date.now();
    const baseline = await loadBaseline(KNOWN_FAILURES_PATH);
    const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, seed: 7, maxWaitSeconds: 30, baseline });
    expect(failing(result, baseline)).toEqual([]);
    expect(result.time).toMatchObject({ ttlSeconds: SHORT_TTL_SECONDS, strategy: 'real-time', testProfileOffered: false });
    const musts = result.requirements.filter((r) => r.level === 'MUST');
    // TEST-2 only binds relays that offer the test-control profile; this one does not: not applicable, not skipped.
    // ROB-4 only binds relays that read the certificate from a header; this one is reached over mutual TLS.
    expect(musts.filter((r) => r.verdict !== 'pass' && !r.baselined).map((r) => `${r.id}: ${r.verdict}`)).toEqual(['ROB-4: not-applicable', 'TEST-2: not-applicable']);
    expect(result.summary).toMatchObject({ mustFailures: 0, mustSkipped: 0, nonStrictCases: 0, harnessErrors: 0 });
    expect(result.cases.filter((c) => c.verdict === 'intermittent' && !c.caseId.startsWith('PERF-')).map((c) => c.caseId)).toEqual([]);
    expect(result.rootCauses).toEqual([]);
    expect(result.unimplemented).toEqual([]);
    expect(result.performance?.map((p) => p.endpoint).sort()).toEqual(['401 (no certificate)', 'heartbeat', 'list', 'lookup', 'ready', 'register']);
    expect(result.exitCode).toBe(0);
    expect(result.facts['observed expiry']).toMatch(/margin [+-]0\.\d\d s/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 60_000);

  it('passes one case at a time (--concurrency 1) and with --strict and --fail-on-skip', async () => {
    const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['REG-*', 'READY-*', 'LOOKUP-*', 'ERR-1*', 'ERR-2*', 'TEST-*', 'HB-3*'], seed: 8, maxWaitSeconds: 30, concurrency: 1, strict: true, failOnSkip: true });
    expect(failing(result)).toEqual([]);
    expect(result.options).toMatchObject({ concurrency: 1, strict: true });
    expect(result.cases.every((c) => c.concurrency === 1)).toBe(true);
    expect(result.exitCode).toBe(0);
  }, 90_000);

  it('passes again, same seed, against the relay now full of the first run\'s data (black-box, no reset)', async () => {
    const again = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['REG-*', 'LIST-*', 'LOOKUP-*', 'READY-*'], seed: 7, maxWaitSeconds: 30 });
    expect(failing(again)).toEqual([]);
  }, 60_000);
});

describe('expiry through the test-control profile', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ port: 0, ttlSeconds: 3600, testMode: true });
  });
  afterAll(async () => relay?.close());

  it('moves the relay clock when the TTL is above --max-wait', async () => {
    const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['EXP-*', 'HB-*', 'TEST-*'], seed: 3, maxWaitSeconds: 5 });
    expect(failing(result)).toEqual([]);
    expect(result.time).toMatchObject({ ttlSeconds: 3600, strategy: 'test-clock', testProfileOffered: true });
    expect(result.cases.filter((c) => c.caseId.startsWith('EXP-')).every((c) => c.verdict === 'pass')).toBe(true);
    expect(result.cases.find((c) => c.caseId === 'TEST-3/absent-outside-test-mode')?.verdict).toBe('not-applicable');
    expect(result.requirements.filter((r) => r.id.startsWith('TEST-') && r.verdict === 'pass').map((r) => r.id)).toEqual(['TEST-1', 'TEST-2']);
  }, 60_000);

  it('--production: a relay that offers the test profile fails TEST-3, and its clock is never moved', async () => {
    const relayNowSeconds = (): number => relay.core.deps.clock.nowMs() / 1000;
    const clockBefore = relayNowSeconds();
    const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['EXP-1*', 'TEST-*'], seed: 3, maxWaitSeconds: 5, production: true });
    expect(result.time).toMatchObject({ testProfileOffered: true, production: true, strategy: 'unavailable' });
    expect(result.cases.find((c) => c.caseId === 'TEST-3/absent-outside-test-mode')).toMatchObject({ verdict: 'fail', actual: expect.stringMatching(/HTTP 400/) });
    expect(result.cases.filter((c) => c.caseId.startsWith('TEST-1/') || c.caseId.startsWith('TEST-2/') || c.caseId.startsWith('EXP-1/')).map((c) => `${c.caseId}: ${c.verdict}`)).toEqual([
      'EXP-1/lookup-gone-after-ttl: skip', 'TEST-1/advance-clock: skip', 'TEST-2/invalid-advance: skip', 'EXP-1/model-based: not-applicable',
    ]);
    expect(result.exitCode).toBe(1);
    // Nothing moved the relay's clock: only the run's own few seconds went by.
    expect(relayNowSeconds() - clockBefore).toBeLessThan(30);
  }, 60_000);

  it('skips expiry cases with the reason when time cannot pass', async () => {
    const production = await startRelay({ port: 0, ttlSeconds: 3600 });
    try {
      const result = await runSuite({ target: { url: production.url, caPem: production.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['EXP-1*', 'TEST-3*'], maxWaitSeconds: 5 });
      const exp1 = result.cases.find((c) => c.caseId.startsWith('EXP-1'));
      expect(exp1?.verdict).toBe('skip');
      expect(exp1?.skipReason).toMatch(/TTL is 3600 s, above --max-wait 5 s/);
      expect(result.requirements.find((r) => r.id === 'TEST-3')?.verdict).toBe('pass');
    } finally {
      await production.close();
    }
  }, 30_000);
});

describe('header authentication through a trusted proxy', () => {
  it('authenticates with the URL-encoded PEM in the configured header', async () => {
    const relay = await startRelay({ port: 0, ttlSeconds: 30, certHeader: 'x-ssl-cert', trustedProxies: ['127.0.0.1/32'], extensions: [...RELAY_EXTENSIONS] });
    try {
      const result = await runSuite({
        target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'header', headerName: 'x-ssl-cert' } },
        only: ['AUTH-*', 'REG-1*', 'LOOKUP-1*', 'GEN-3*'], maxWaitSeconds: 0,
      });
      expect(failing(result)).toEqual([]);
      expect(result.cases.find((c) => c.caseId === 'AUTH-5/header-from-trusted-proxy')?.verdict).toBe('pass');
      const untrusted = result.cases.find((c) => c.caseId === 'AUTH-5/header-from-untrusted-client');
      expect(untrusted?.verdict).toBe('skip');
      expect(untrusted?.skipReason).toMatch(/pass --untrusted-source ADDR/);
    } finally {
      await relay.close();
    }
  }, 30_000);
});

describe('a relay that rate-limits registrations (the reference relay outside test mode)', () => {
  it('is waited for as Retry-After says, passes, and the report says how many requests were retried', async () => {
    const relay = await startRelay({ port: 0, ttlSeconds: 30, registerRateLimit: { ratePerSecond: 5, burst: 5 } });
    try {
      const result = await runSuite({ target: { url: relay.url, caPem: relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' } }, only: ['REG-5*', 'REG-1*'], seed: 4, maxWaitSeconds: 0 });
      expect(failing(result)).toEqual([]);
      expect(result.facts['rate limited']).toMatch(/^\d+ request\(s\) answered 429 and were sent again after Retry-After/);
    } finally {
      await relay.close();
    }
  }, 60_000);
});
