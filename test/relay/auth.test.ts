import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startRelayFixture, uniqueEmail } from '../support/relay-fixture.ts';

describe('mutual TLS authentication', () => {
  it('authenticates by certificate fingerprint: a second key claiming the same email gets 401', async () => {
    const f = await startRelayFixture();
    try {
      const email = uniqueEmail('owner');
      const owner = f.identity(email);
      const impostor = f.identity(email, 'ed25519');
      expect((await f.client(owner).register()).status).toBe(200);
      expect(await f.client(impostor).register()).toMatchObject({ status: 409, body: { code: 'email_taken' } });
      expect(await f.client(impostor).ready({ port: 1, addresses: ['10.0.0.1'] })).toMatchObject({ status: 401, body: { code: 'certificate_not_registered' } });
      expect(await f.client(impostor).heartbeat()).toMatchObject({ status: 401 });
      expect(await f.client(impostor).lookup(email)).toMatchObject({ status: 401 });
      expect(await f.client(impostor).list()).toMatchObject({ status: 401 });
      expect((await f.client(owner).ready({ port: 1, addresses: ['10.0.0.1'] })).status).toBe(200);
    } finally {
      await f.close();
    }
  });

  it('GET /api/health needs no certificate', async () => {
    const f = await startRelayFixture();
    try {
      expect(await f.raw('GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    } finally {
      await f.close();
    }
  });
});

describe('trusted-proxy certificate header (--cert-header, --trusted-proxy)', () => {
  it('believes the header only on connections from a trusted address', async () => {
    // The relay listens on all of 127.0.0.0/8; the "proxy" connects from 127.0.0.2, a stranger from 127.0.0.3.
    const f = await startRelayFixture({ host: '127.0.0.1', certHeader: 'X-SSL-Cert', trustedProxies: ['127.0.0.2/32'] });
    try {
      const peer = f.identity();
      expect((await f.client(peer).register()).status).toBe(200);
      const body = JSON.stringify({ port: 9000, addresses: ['10.0.0.9'] });
      const encoded = encodeURIComponent(peer.certificatePem);
      const viaProxy = await f.raw('POST', '/api/relay/broadcast/ready', { body, headers: { 'x-ssl-cert': encoded }, localAddress: '127.0.0.2' });
      expect(viaProxy).toMatchObject({ status: 200, body: { status: 'registered' } });
      const rawPem = peer.certificatePem.replace(/\n/g, ' ').trim();
      const rawHeader = await f.raw('POST', '/api/relay/broadcast/heartbeat', { body: '{}', headers: { 'x-ssl-cert': rawPem }, localAddress: '127.0.0.2' });
      expect(rawHeader).toMatchObject({ status: 200, body: { status: 'alive' } });
      const fromStranger = await f.raw('POST', '/api/relay/broadcast/ready', { body, headers: { 'x-ssl-cert': encoded }, localAddress: '127.0.0.3' });
      expect(fromStranger).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
    } finally {
      await f.close();
    }
  });

  it('logs a warning when the header arrives from an untrusted address, and none from the trusted proxy', async () => {
    const lines: Array<{ level: number; msg: string; remote?: string }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const f = await startRelayFixture({ host: '127.0.0.1', certHeader: 'X-SSL-Cert', trustedProxies: ['127.0.0.2'], logger });
    try {
      const peer = f.identity();
      expect((await f.client(peer).register()).status).toBe(200);
      const headers = { 'x-ssl-cert': encodeURIComponent(peer.certificatePem) };
      const body = JSON.stringify({ port: 9000, addresses: ['10.0.0.9'] });
      expect((await f.raw('POST', '/api/relay/broadcast/ready', { body, headers, localAddress: '127.0.0.2' })).status).toBe(200);
      expect(lines).toEqual([]);
      expect((await f.raw('POST', '/api/relay/broadcast/ready', { body, headers, localAddress: '127.0.0.3' })).status).toBe(401);
      expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'ignored X-SSL-Cert header from untrusted address 127.0.0.3' })]);
    } finally {
      await f.close();
    }
  });

  it('ignores the header entirely when no proxy is configured', async () => {
    const f = await startRelayFixture();
    try {
      const peer = f.identity();
      await f.client(peer).register();
      const reply = await f.raw('POST', '/api/relay/broadcast/ready', { body: JSON.stringify({ port: 9000, addresses: ['10.0.0.9'] }), headers: { 'x-ssl-cert': encodeURIComponent(peer.certificatePem) } });
      expect(reply).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
    } finally {
      await f.close();
    }
  });
});
