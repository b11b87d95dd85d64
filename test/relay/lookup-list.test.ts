import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../reference/identity/identity-files.ts';
import { nextCursorOf } from '../../reference/peer/http/relay-client.ts';
import { startRelayFixture, uniqueEmail, type RelayFixture } from '../support/relay-fixture.ts';

let f: RelayFixture;
beforeAll(async () => {
  f = await startRelayFixture({ ttlSeconds: 600 });
});
afterAll(() => f.close());

async function online(email = uniqueEmail(), port = 5000): Promise<Identity> {
  const identity = f.identity(email);
  const client = f.client(identity);
  expect((await client.register()).status).toBe(200);
  expect((await client.ready({ port, addresses: ['192.168.0.10', '::1'] })).status).toBe(200);
  return identity;
}

describe('GET /api/relay/broadcast/lookup', () => {
  it('finds a peer by email, case-insensitively, with times in unix seconds', async () => {
    const target = await online();
    const reply = await f.client(await online()).lookup(target.email.toUpperCase());
    const now = Math.floor(f.clock.nowMs() / 1000);
    expect(reply).toMatchObject({ status: 200, body: { email: target.email, status: 'online', port: 5000, addresses: ['192.168.0.10', '::1'], last_seen: now, broadcast_expires: now + 600 } });
  });

  it('answers 404 for unknown and registered-but-silent emails, 400 without email, 401 unauthenticated', async () => {
    const caller = await online();
    const silent = f.identity();
    await f.client(silent).register();
    expect(await f.client(caller).lookup(uniqueEmail('nobody'))).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
    expect(await f.client(caller).lookup(silent.email)).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
    expect(await f.raw('GET', '/api/relay/broadcast/lookup', { identity: caller })).toMatchObject({ status: 400, body: { code: 'missing_email' } });
    expect(await f.raw('GET', '/api/relay/broadcast/lookup?email=', { identity: caller })).toMatchObject({ status: 400, body: { code: 'missing_email' } });
    expect(await f.raw('GET', '/api/relay/broadcast/lookup?email=x', { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
    expect(await f.raw('GET', `/api/relay/broadcast/lookup?email=${caller.email}`)).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
  });
});

describe('GET /api/relay/broadcast/list', () => {
  it('lists live peers other than the caller, sorted by email, paginated with a Link header', async () => {
    const relay = await startRelayFixture({ ttlSeconds: 600 });
    try {
      const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'].map((n) => `${n}@list.test`);
      const identities: Identity[] = [];
      for (const email of names) {
        const identity = relay.identity(email);
        const client = relay.client(identity);
        await client.register();
        await client.ready({ port: 6000, addresses: ['10.9.9.9'] });
        identities.push(identity);
      }
      const caller = relay.client(identities[2]);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await caller.list({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        expect(Array.isArray(page.body)).toBe(true);
        for (const item of page.body) expect(Object.keys(item).sort()).toEqual(['addresses', 'email', 'last_seen', 'port']);
        seen.push(...page.body.map((p: { email: string }) => p.email));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(['alpha@list.test', 'bravo@list.test', 'charlie@list.test', 'delta@list.test']);
      expect(pages).toBe(2);
      const full = await caller.list({ limit: 4 });
      expect(full.headers.link).toBeUndefined();
      const firstPage = await caller.list({ limit: 1 });
      expect(nextCursorOf(firstPage.headers.link)).toBeDefined();
    } finally {
      await relay.close();
    }
  });

  it('rejects bad limits and cursors with 400', async () => {
    const caller = await online();
    for (const limit of ['0', '1001', 'abc', '-1', '1.5']) {
      expect(await f.raw('GET', `/api/relay/broadcast/list?limit=${limit}`, { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_limit' } });
    }
    expect(await f.raw('GET', '/api/relay/broadcast/list?cursor=%%%', { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
    expect(await f.raw('GET', '/api/relay/broadcast/list?cursor=Zm9v', { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
    expect(await f.raw('GET', '/api/relay/broadcast/list')).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
  });
});
