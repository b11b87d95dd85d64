/**
 * The optional extensions of the reference relay over real HTTPS (SPEC
 * EXT-2 goodbye, EXT-3 observed address): off unless asked for, advertised
 * in health when on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startRelayFixture, type RelayFixture } from '../support/relay-fixture.ts';
import type { StartRelayOptions } from '../../reference/relay/http/start-relay.ts';

const BROADCAST = { port: 4242, addresses: ['192.0.2.10'] };
let fixtures: RelayFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

async function relay(options: StartRelayOptions): Promise<RelayFixture> {
  const f = await startRelayFixture({ ttlSeconds: 3600, ...options });
  fixtures.push(f);
  return f;
}

describe('goodbye (SPEC EXT-2)', () => {
  it('ends the caller’s broadcast at once; a new ready makes it live again', async () => {
    const f = await relay({ extensions: ['goodbye'] });
    expect((await f.raw('GET', '/api/health')).body).toEqual({ status: 'ok', extensions: ['goodbye'] });
    const peer = f.identity();
    const observer = f.identity();
    await f.client(peer).register();
    await f.client(observer).register();
    await f.client(peer).ready(BROADCAST);
    expect((await f.client(observer).lookup(peer.email)).status).toBe(200);
    expect(await f.raw('POST', '/api/relay/broadcast/goodbye', { identity: peer, body: '{}' })).toMatchObject({ status: 200, body: { status: 'gone', was_live: true } });
    expect(await f.client(observer).lookup(peer.email)).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
    expect((await f.client(observer).list()).body).toEqual([]);
    expect(await f.client(peer).heartbeat()).toMatchObject({ status: 404, body: { code: 'no_live_broadcast' } });
    expect(await f.raw('POST', '/api/relay/broadcast/goodbye', { identity: peer })).toMatchObject({ status: 200, body: { was_live: false } });
    await f.client(peer).ready(BROADCAST);
    expect((await f.client(observer).lookup(peer.email)).status).toBe(200);
  });

  it('needs a registered certificate and a JSON object body when one is sent, and changes nothing when refused', async () => {
    const f = await relay({ extensions: ['goodbye'] });
    const peer = f.identity();
    const observer = f.identity();
    await f.client(peer).register();
    await f.client(observer).register();
    await f.client(peer).ready(BROADCAST);
    expect(await f.raw('POST', '/api/relay/broadcast/goodbye', {})).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
    expect(await f.raw('POST', '/api/relay/broadcast/goodbye', { identity: f.identity() })).toMatchObject({ status: 401, body: { code: 'certificate_not_registered' } });
    expect(await f.raw('POST', '/api/relay/broadcast/goodbye', { identity: peer, body: '[1]' })).toMatchObject({ status: 400, body: { code: 'invalid_body' } });
    expect((await f.client(observer).lookup(peer.email)).status).toBe(200);
  });

  it('is not there unless offered: 404 route_not_found, health without it', async () => {
    const f = await relay({});
    expect((await f.raw('GET', '/api/health')).body).toEqual({ status: 'ok', extensions: ['renew'] });
    const peer = f.identity();
    await f.client(peer).register();
    expect(await f.raw('POST', '/api/relay/broadcast/goodbye', { identity: peer })).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
  });
});

describe('observed address (SPEC EXT-3)', () => {
  it('tells ready and heartbeat callers the address their connection came from', async () => {
    const f = await relay({ extensions: ['observed-address'] });
    const peer = f.identity();
    await f.client(peer).register();
    expect(await f.client(peer).ready(BROADCAST)).toMatchObject({ status: 200, body: { observed_address: '127.0.0.1' } });
    expect(await f.client(peer).heartbeat()).toMatchObject({ status: 200, body: { observed_address: '127.0.0.1' } });
  });

  it('says nothing of it unless offered', async () => {
    const f = await relay({});
    const peer = f.identity();
    await f.client(peer).register();
    const ready = await f.client(peer).ready(BROADCAST);
    expect(ready.status).toBe(200);
    expect(ready.body).not.toHaveProperty('observed_address');
  });

  it('behind a trusted proxy takes the nearest untrusted X-Forwarded-For hop, and none when the proxy sent none', async () => {
    const f = await relay({ host: '127.0.0.1', extensions: ['observed-address'], certHeader: 'X-SSL-Cert', trustedProxies: ['127.0.0.2/32', '10.0.0.0/8'] });
    const peer = f.identity();
    await f.client(peer).register();
    const header = { 'x-ssl-cert': encodeURIComponent(peer.certificatePem) };
    const via = (xff?: string) =>
      f.raw('POST', '/api/relay/broadcast/ready', { body: JSON.stringify(BROADCAST), localAddress: '127.0.0.2', headers: { ...header, ...(xff ? { 'x-forwarded-for': xff } : {}) } });
    expect((await via('203.0.113.5')).body.observed_address).toBe('203.0.113.5');
    // The client wrote the leftmost hop itself; 10.1.2.3 is a trusted inner proxy.
    expect((await via('198.51.100.1, 203.0.113.5, 10.1.2.3')).body.observed_address).toBe('203.0.113.5');
    expect((await via()).body).not.toHaveProperty('observed_address');
    expect((await via('not-an-address')).body).not.toHaveProperty('observed_address');
    // From an untrusted address the header is ignored: the connection's own address is what was observed.
    const direct = await f.raw('POST', '/api/relay/broadcast/ready', { body: JSON.stringify(BROADCAST), identity: peer, localAddress: '127.0.0.3', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(direct.body.observed_address).toBe('127.0.0.3');
  });
});
