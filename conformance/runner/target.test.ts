/**
 * The target adapter's trust rule, as the container path meets it: a relay
 * reached under an address its certificate does not name (a Docker gateway
 * such as 172.17.0.1, here 127.0.0.2) is trusted when --ca is exactly its
 * certificate, and refused when --ca is anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSelfSigned } from '../../reference/identity/certificate-builder.ts';
import { startRelay, type RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { Target, TransportFailure } from './target.ts';

describe('Target: --ca pins the relay certificate', () => {
  let relay: RunningRelay;
  beforeAll(async () => {
    relay = await startRelay({ host: '0.0.0.0', port: 0 });
  });
  afterAll(async () => relay?.close());

  const targetWith = (caPem: string): Target => new Target({ url: `https://127.0.0.2:${relay.port}`, caPem, insecure: false, auth: { kind: 'mtls' } });

  it('accepts exactly the pinned certificate under an address it does not name', async () => {
    const target = targetWith(relay.tlsCertificatePem);
    try {
      const reply = await target.client([]).get('/api/health');
      expect(reply.status).toBe(200);
    } finally {
      await target.close();
    }
  });

  it('refuses a relay whose certificate is not the pinned one', async () => {
    const now = Date.now();
    const other = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'someone else' }], sanIpAddresses: ['127.0.0.2'], notBeforeMs: now - 1000, notAfterMs: now + 1e9, usage: 'server' });
    const target = targetWith(other.certificatePem);
    try {
      const failure = await target.client([]).get('/api/health').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(TransportFailure);
      expect((failure as TransportFailure).exchange.transportError).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    } finally {
      await target.close();
    }
  });
});
