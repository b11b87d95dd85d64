/**
 * The target adapter's trust rule, as the container path meets it: a relay
 * reached under an address its certificate does not name (a Docker gateway
 * such as 172.17.0.1, here 127.0.0.2) is trusted when --ca is exactly its
 * certificate, and refused when --ca is anything else.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
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

describe('Target: long bodies', () => {
  it('cases see the whole body (a 150 KB list page is one JSON array); only the report keeps a cut copy', async () => {
    const now = Date.now();
    const tls = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'long lists' }], sanIpAddresses: ['127.0.0.1'], notBeforeMs: now - 1000, notAfterMs: now + 1e9, usage: 'server' });
    const page = Array.from({ length: 1500 }, (_, i) => ({ email: `peer-${i}@example.test`, port: 8443, addresses: ['192.168.1.10', '203.0.113.7'], last_seen: 1_790_000_000 }));
    const body = JSON.stringify(page);
    expect(body.length).toBeGreaterThan(140_000);
    const server = createServer({ cert: tls.certificatePem, key: tls.privateKeyPem }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = new Target({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: tls.certificatePem, insecure: false, auth: { kind: 'mtls' } });
    try {
      const reply = await target.client([]).get('/api/relay/broadcast/list?limit=1000');
      expect(reply.json).toEqual(page);
      expect(reply.text).toBe(body);
      expect(reply.exchange.response?.body.length).toBeLessThan(body.length);
    } finally {
      await target.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
