/**
 * A second run against the same test-mode relay: the first run's TEST-1
 * clock advances are still there, so certificates dated by this machine's
 * clock looked valid or expired to the relay when they were not, and the
 * suite failed REG-8 and EXT-1 on a relay that has neither defect (seen
 * running the suite twice against the reference relay's container).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runSuite } from './runner/run-suite.ts';
import { startRelayFixture, type RelayFixture } from '../test/support/relay-fixture.ts';

let relay: RelayFixture | null = null;
afterEach(async () => {
  await relay?.close();
  relay = null;
});

describe('a relay whose test clock an earlier run advanced', () => {
  it('gets certificates dated by its own clock: REG-8 and EXT-1 pass, and the report says why', async () => {
    relay = await startRelayFixture({ ttlSeconds: 3600, testMode: true, extensions: ['renew'] });
    // Three days on, as an earlier run's clock cases leave it: past a "not yet valid" certificate's notBefore (now + 1 day).
    const advanced = await relay.raw('POST', '/api/test/clock', { body: JSON.stringify({ advance_seconds: 3 * 86_400 }) });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);
    const result = await runSuite({ target: { url: relay.relay.url, caPem: relay.relay.tlsCertificatePem, insecure: false, auth: { kind: 'mtls' }, untrustedSource: null }, seed: 5, maxWaitSeconds: 0, only: ['REG-8/*', 'EXT-1/*'] });
    const notPassed = result.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'not-applicable').map((c) => `${c.caseId}: ${c.verdict} ${c.actual ?? ''}`);
    expect(notPassed).toEqual([]);
    expect(result.cases.length).toBeGreaterThan(1);
    expect(result.facts['relay clock']).toMatch(/^the relay's clock is 3\.0 days ahead of this machine's/);
  }, 60_000);
});
