import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../reference/identity/identity-files.ts';
import { startRelayFixture, type RelayFixture } from '../support/relay-fixture.ts';

let f: RelayFixture;
const TTL = 3600;
beforeAll(async () => {
  f = await startRelayFixture({ ttlSeconds: TTL });
});
afterAll(() => f.close());

async function registered(): Promise<Identity> {
  const identity = f.identity();
  expect((await f.client(identity).register()).status).toBe(200);
  return identity;
}

const ready = (identity: Identity | undefined, body: unknown) => f.raw('POST', '/api/relay/broadcast/ready', { body: JSON.stringify(body), ...(identity ? { identity } : {}) });

describe('POST /api/relay/broadcast/ready', () => {
  it('stores port and addresses in the order sent, duplicates included, and answers expires_in', async () => {
    const identity = await registered();
    const addresses = ['192.168.1.50', 'fd00::5', '192.168.1.50', '2001:db8::7', '203.0.113.9'];
    const reply = await ready(identity, { port: 54321, addresses, capabilities: { files: true } });
    expect(reply).toMatchObject({ status: 200, body: { status: 'registered', expires_in: TTL } });
    expect(reply.body.broadcast_id).toMatch(/^[0-9a-f-]{36}$/);
    const seen = await f.client(await registered()).lookup(identity.email);
    expect(seen.body).toMatchObject({ port: 54321, addresses, capabilities: { files: true } });
  });

  it('replaces the previous broadcast: one per identity', async () => {
    const identity = await registered();
    const first = await ready(identity, { port: 1000, addresses: ['10.0.0.1'] });
    const second = await ready(identity, { port: 2000, addresses: ['10.0.0.2'] });
    expect(second.body.broadcast_id).not.toBe(first.body.broadcast_id);
    const seen = await f.client(await registered()).lookup(identity.email);
    expect(seen.body).toMatchObject({ port: 2000, addresses: ['10.0.0.2'] });
  });

  it('answers 401 without a client certificate and with an unregistered one', async () => {
    expect(await ready(undefined, { port: 1, addresses: ['10.0.0.1'] })).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
    expect(await ready(f.identity(), { port: 1, addresses: ['10.0.0.1'] })).toMatchObject({ status: 401, body: { code: 'certificate_not_registered' } });
  });

  it.each([
    [{ port: 0, addresses: ['10.0.0.1'] }, 'invalid_port'],
    [{ port: 65536, addresses: ['10.0.0.1'] }, 'invalid_port'],
    [{ port: '8080', addresses: ['10.0.0.1'] }, 'invalid_port'],
    [{ port: 80.5, addresses: ['10.0.0.1'] }, 'invalid_port'],
    [{ addresses: ['10.0.0.1'] }, 'invalid_port'],
    [{ port: 80, addresses: [] }, 'invalid_addresses'],
    [{ port: 80, addresses: '10.0.0.1' }, 'invalid_addresses'],
    [{ port: 80, addresses: ['example.com'] }, 'invalid_addresses'],
    [{ port: 80, addresses: ['10.0.0.256'] }, 'invalid_addresses'],
    [{ port: 80, addresses: ['fe80::1%eth0'] }, 'invalid_addresses'],
    [{ port: 80, addresses: Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`) }, 'invalid_addresses'],
    [{ port: 80, addresses: ['10.0.0.1'], capabilities: [] }, 'invalid_capabilities'],
    [{ port: 80, addresses: ['10.0.0.1'], capabilities: null }, 'invalid_capabilities'],
    [{ port: 80, addresses: ['10.0.0.1'], capabilities: { blob: 'x'.repeat(4100) } }, 'invalid_capabilities'],
  ])('answers 400 for %j and keeps the earlier broadcast', async (body, code) => {
    const identity = await registered();
    await ready(identity, { port: 7000, addresses: ['10.1.1.1'] });
    expect(await ready(identity, body)).toMatchObject({ status: 400, body: { code } });
    const seen = await f.client(await registered()).lookup(identity.email);
    expect(seen.body).toMatchObject({ port: 7000, addresses: ['10.1.1.1'] });
  });

  it('accepts exactly 16 addresses and 4096 bytes of capabilities', async () => {
    const identity = await registered();
    const addresses = Array.from({ length: 16 }, (_, i) => `10.0.0.${i}`);
    const capabilities = { b: 'x'.repeat(4096 - JSON.stringify({ b: '' }).length) };
    expect((await ready(identity, { port: 80, addresses, capabilities })).status).toBe(200);
  });
});

describe('POST /api/relay/broadcast/heartbeat and expiry', () => {
  it('extends the live broadcast to now + TTL', async () => {
    const identity = await registered();
    const client = f.client(identity);
    await client.ready({ port: 4000, addresses: ['10.0.0.4'] });
    f.clock.advanceMs(1000 * (TTL - 10));
    const beat = await client.heartbeat();
    expect(beat.body).toEqual({ status: 'alive', expires_in: TTL, broadcast_expires: Math.floor(f.clock.nowMs() / 1000) + TTL });
    f.clock.advanceMs(1000 * 20);
    expect((await f.client(await registered()).lookup(identity.email)).status).toBe(200);
  });

  it('answers 404 no_live_broadcast before any ready and after expiry', async () => {
    const identity = await registered();
    const client = f.client(identity);
    expect((await client.heartbeat()).body).toMatchObject({ code: 'no_live_broadcast' });
    await client.ready({ port: 4000, addresses: ['10.0.0.4'] });
    f.clock.advanceMs(TTL * 1000);
    expect(await client.heartbeat()).toMatchObject({ status: 404, body: { code: 'no_live_broadcast' } });
    expect((await client.ready({ port: 4000, addresses: ['10.0.0.4'] })).status).toBe(200);
  });

  it('hides a broadcast exactly at the TTL edge, not a millisecond before', async () => {
    const target = await registered();
    const watcher = f.client(await registered());
    await f.client(target).ready({ port: 4100, addresses: ['10.0.0.41'] });
    f.clock.advanceMs(TTL * 1000 - 1);
    expect((await watcher.lookup(target.email)).status).toBe(200);
    expect((await watcher.list({ limit: 1000 })).body.map((p: { email: string }) => p.email)).toContain(target.email);
    f.clock.advanceMs(1);
    expect(await watcher.lookup(target.email)).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
    expect((await watcher.list({ limit: 1000 })).body.map((p: { email: string }) => p.email)).not.toContain(target.email);
  });

  it('keeps expiry exact whatever the cleanup job has done', async () => {
    const target = await registered();
    await f.client(target).ready({ port: 4200, addresses: ['10.0.0.42'] });
    f.clock.advanceMs(TTL * 1000);
    expect(await f.relay.core.cleanup()).toBeGreaterThanOrEqual(1);
    expect((await f.client(await registered()).lookup(target.email)).status).toBe(404);
  });
});
