/**
 * The foreign relay over real TLS on loopback: correct per SPEC.md by
 * default, and each defect switch showing exactly its defect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ForeignRelayOptions } from './index.ts';
import { lookupPath, makePeer, PATHS, rewrapped, TestRelay, type Peer, type Reply } from './foreign-relay.test-support.ts';

const started: TestRelay[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((relay) => relay.close()));
});

async function relayWith(options: ForeignRelayOptions = {}): Promise<TestRelay> {
  const relay = await TestRelay.start(options);
  started.push(relay);
  return relay;
}

function expectError(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.json?.code, error: typeof reply.json?.error }).toEqual({ status, code, error: 'string' });
}

async function registered(relay: TestRelay, email: string, options: Parameters<typeof makePeer>[1] = {}): Promise<Peer> {
  const peer = makePeer(email, options);
  expect((await relay.register(peer)).status).toBe(200);
  return peer;
}

/** n lookups at once, on n connections opened beforehand (health needs no database), so they arrive together. */
async function burstOfLookups(relay: TestRelay, peer: Peer, n: number): Promise<Reply[]> {
  await Promise.all(Array.from({ length: n }, () => relay.get(PATHS.health, peer)));
  return Promise.all(Array.from({ length: n }, () => relay.get(lookupPath('nobody@example.com'), peer)));
}

const BROADCAST = { port: 40001, addresses: ['192.168.1.10', '203.0.113.7', '2001:db8::7'] };

describe('the foreign relay, no defect switched on', () => {
  it('serves a register → ready → lookup → list → heartbeat flow with the SPEC codes', async () => {
    const relay = await relayWith();
    expect(relay.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await relay.get(PATHS.health);
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
    expect(health.headers['content-type']).toMatch(/^application\/json/);

    const alice = makePeer('Alice@Example.COM');
    const reg = await relay.register(alice);
    expect(reg.status).toBe(200);
    expect(reg.json).toMatchObject({ status: 'registered', email: 'alice@example.com' });
    expect(typeof reg.json.id).toBe('string');
    const bob = await registered(relay, 'bob@example.com');

    const ready = await relay.post(PATHS.ready, { ...BROADCAST, capabilities: { files: true } }, alice);
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'registered', expires_in: 3600 });
    expect(typeof ready.json.broadcast_id).toBe('string');

    const found = await relay.get(lookupPath('ALICE@example.com'), bob);
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ email: 'alice@example.com', status: 'online', port: 40001, addresses: BROADCAST.addresses, capabilities: { files: true } });
    expect(found.json.broadcast_expires - found.json.last_seen).toBe(3600);
    expect(Math.abs(found.json.last_seen - Date.now() / 1000)).toBeLessThan(5);

    const listed = await relay.get(PATHS.list, bob);
    expect(listed.status).toBe(200);
    expect(listed.json.map((item: { email: string }) => item.email)).toEqual(['alice@example.com']);
    expect((await relay.get(PATHS.list, alice)).json).toEqual([]); // LIST-2: the caller is not listed, bob never sent ready (LIST-7)

    const heartbeat = await relay.post(PATHS.heartbeat, {}, alice);
    expect(heartbeat.status).toBe(200);
    expect(heartbeat.json).toMatchObject({ status: 'alive', expires_in: 3600 });
    expect(Number.isInteger(heartbeat.json.broadcast_expires)).toBe(true);
    expectError(await relay.post(PATHS.heartbeat, {}, bob), 404, 'no_live_broadcast');
    expectError(await relay.get(lookupPath('bob@example.com'), alice), 404, 'peer_not_found');
  });

  it('registers by the certificate rules of REG-2..REG-12', async () => {
    const relay = await relayWith();
    const carol = makePeer('carol@example.com');
    expect((await relay.register(carol)).status).toBe(200);
    expectError(await relay.register(carol), 409, 'email_taken'); // same certificate, same email
    expectError(await relay.register(makePeer('carol@example.com')), 409, 'email_taken');
    expectError(await relay.register(makePeer('CAROL@example.com')), 409, 'email_taken');
    const twoNames = makePeer('dave@example.com');
    expect((await relay.register(twoNames)).status).toBe(200);
    expectError(await relay.register(twoNames, twoNames.certificatePem, 'dave2@example.com'), 400, 'email_mismatch');

    for (const certificate of ['hello', carol.certificatePem + carol.certificatePem, carol.certificatePem.slice(0, 200), `-----BEGIN CERTIFICATE-----\n${Buffer.alloc(300, 7).toString('base64')}\n-----END CERTIFICATE-----\n`]) {
      expectError(await relay.post(PATHS.register, { certificate, email: 'x@example.com' }), 400, 'invalid_certificate');
    }
    const tampered = makePeer('tampered@example.com');
    const der = Buffer.from(tampered.certificatePem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 1;
    expectError(await relay.post(PATHS.register, { certificate: `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`, email: tampered.email }), 400, 'invalid_certificate');
    const withJunk = Buffer.concat([Buffer.from(tampered.certificatePem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'), Buffer.from([0, 0])]);
    expectError(await relay.post(PATHS.register, { certificate: `-----BEGIN CERTIFICATE-----\n${withJunk.toString('base64')}\n-----END CERTIFICATE-----\n`, email: tampered.email }), 400, 'invalid_certificate');

    for (const email of [undefined, 42, null, '', 'not-an-email', 'two@@example.com', 'spaces in@example.com']) {
      expectError(await relay.post(PATHS.register, { certificate: carol.certificatePem, email }), 400, 'invalid_email');
    }
    expectError(await relay.register(makePeer('nowhere@example.com', { layout: 'nowhere' })), 400, 'email_mismatch');
    expect((await relay.register(makePeer('cn@example.com', { layout: 'cn-only' }))).status).toBe(200);
    expect((await relay.register(makePeer('san@example.com', { layout: 'san-only' }))).status).toBe(200);
    expect((await relay.register(makePeer('subject@example.com', { layout: 'emailAddress-only' }))).status).toBe(200);
    expect((await relay.register(makePeer('rsa@example.com', { keyType: 'rsa-2048' }))).status).toBe(200);
    expect((await relay.register(makePeer('a+tag@example.com'))).status).toBe(200);
    expectError(await relay.register(makePeer('short@example.com', { keyType: 'rsa-1024' })), 400, 'unsupported_key_type');
    expectError(await relay.register(makePeer('ed@example.com', { keyType: 'ed25519' })), 400, 'unsupported_key_type');
    expectError(await relay.register(makePeer('old@example.com', { validity: 'expired' })), 400, 'certificate_not_valid_now');
  });

  it('authenticates by the fingerprint of the TLS certificate, however its PEM was written at registration', async () => {
    const relay = await relayWith();
    const owner = await registered(relay, 'owner@example.com');
    for (const path of [PATHS.list, lookupPath('owner@example.com')]) expectError(await relay.get(path), 401, 'client_certificate_required');
    for (const path of [PATHS.ready, PATHS.heartbeat]) expectError(await relay.post(path, BROADCAST), 401, 'client_certificate_required');
    expectError(await relay.get(PATHS.list, makePeer('stranger@example.com')), 401, 'certificate_not_registered');
    expectError(await relay.post(PATHS.ready, BROADCAST, makePeer('owner@example.com')), 401, 'certificate_not_registered'); // AUTH-3
    expect((await relay.post(PATHS.ready, BROADCAST, owner)).status).toBe(200);
    for (const style of ['crlf', '76-columns', 'whitespace'] as const) {
      const peer = makePeer(`${style}@example.com`);
      expect((await relay.register(peer, rewrapped(peer.certificatePem, style))).status).toBe(200);
      expect((await relay.post(PATHS.ready, BROADCAST, peer)).status).toBe(200);
    }
  });

  it('validates ready bodies (READY-2..8) and a refusal changes nothing (ERR-7)', async () => {
    const relay = await relayWith();
    const peer = await registered(relay, 'peer@example.com');
    const observer = await registered(relay, 'observer@example.com');
    const broadcast = { port: 5000, addresses: ['10.0.0.1', '::1', '10.0.0.1'], capabilities: { v: 1 } };
    expect((await relay.post(PATHS.ready, { ...broadcast, nickname: 'ignored' }, peer)).status).toBe(200);
    for (const port of [undefined, 0, 65536, -1, 1.5, 3.5, '8080', null, true, 1e12, [8080]]) {
      expectError(await relay.post(PATHS.ready, { ...broadcast, port }, peer), 400, 'invalid_port');
    }
    for (const addresses of [undefined, [], Array.from({ length: 17 }, () => '10.0.0.1'), ['localhost'], ['01.2.3.4'], ['256.1.1.1'], ['fe80::1%eth0'], [42], ['[::1]'], ['1.2.3.4:80'], '10.0.0.1']) {
      expectError(await relay.post(PATHS.ready, { ...broadcast, addresses }, peer), 400, 'invalid_addresses');
    }
    for (const capabilities of [[], null, 'files', 42, { pad: 'x'.repeat(4097 - 10) }]) {
      expectError(await relay.post(PATHS.ready, { ...broadcast, capabilities }, peer), 400, 'invalid_capabilities');
    }
    expectError(await relay.call({ path: PATHS.ready, method: 'POST', raw: `{"port":1,"addresses":["10.0.0.1"],"capabilities":{"deep":${'['.repeat(30000)}${']'.repeat(30000)}}}`, as: peer }), 400, 'invalid_capabilities');
    expectError(await relay.call({ path: PATHS.ready, method: 'POST', raw: '{"port": 1', as: peer }), 400, 'invalid_json');
    expectError(await relay.call({ path: PATHS.ready, method: 'POST', raw: '[]', as: peer }), 400, 'invalid_body');
    expectError(await relay.call({ path: PATHS.heartbeat, method: 'POST', raw: '"text"', as: peer }), 400, 'invalid_body');
    expectError(await relay.call({ path: PATHS.ready, method: 'POST', raw: JSON.stringify({ ...broadcast, pad: 'x'.repeat(70 * 1024) }), as: peer }), 413, 'body_too_large');
    expectError(await relay.call({ path: PATHS.register, method: 'POST', raw: JSON.stringify({ certificate: 'x'.repeat(5 * 1024 * 1024), email: 'big@example.com' }) }), 413, 'body_too_large');
    const after = await relay.get(lookupPath(peer.email), observer);
    expect({ port: after.json.port, addresses: after.json.addresses, capabilities: after.json.capabilities }).toEqual(broadcast);

    const limits = [{ port: 1, addresses: Array.from({ length: 16 }, (_, i) => `10.0.0.${i + 1}`) }, { port: 65535, addresses: ['::ffff:192.0.2.1'] }, { port: 8080, addresses: ['192.0.2.1'], capabilities: { pad: 'x'.repeat(4096 - 10) } }];
    for (const body of limits) expect((await relay.post(PATHS.ready, body, peer)).status).toBe(200);
    const last = await relay.get(lookupPath(peer.email), observer);
    expect(last.json.capabilities).toEqual(limits[2]?.capabilities);
    expect((await relay.post(PATHS.heartbeat, { port: 1, addresses: ['10.9.9.9'] }, peer)).status).toBe(200); // HB-4
    expect((await relay.get(lookupPath(peer.email), observer)).json.port).toBe(8080);
  });

  it('pages the list in byte order with its own cursor and a relative Link (LIST-3..6)', async () => {
    const relay = await relayWith();
    const caller = await registered(relay, 'caller@example.com');
    const emails = ['e5@example.com', 'e1@example.com', 'e3@example.com', 'e2@example.com', 'e4@example.com'];
    for (const email of emails) expect((await relay.post(PATHS.ready, BROADCAST, await registered(relay, email))).status).toBe(200);
    const seen: string[] = [];
    let path: string | null = `${PATHS.list}?limit=2`;
    const links: string[] = [];
    while (path) {
      const page = await relay.get(path, caller);
      expect(page.status).toBe(200);
      seen.push(...page.json.map((item: { email: string }) => item.email));
      const link = page.headers.link;
      if (link) links.push(link);
      const target = link ? /^<([^>]*)>; rel="next"$/.exec(link)?.[1] : undefined;
      path = target === undefined ? null : `${new URL(target, `https://x${path}`).pathname}${new URL(target, `https://x${path}`).search}`;
    }
    expect(seen).toEqual([...emails].sort());
    expect(links).toHaveLength(2);
    expect(links[0]).toMatch(/^<\?cursor=[^>]+&limit=2>; rel="next"$/);
    expect((await relay.get(`${PATHS.list}?limit=1000`, caller)).headers.link).toBeUndefined();
    for (const limit of ['0', '1001', '-1', '1.5', 'ten', '', '1e3', '99999999999']) expectError(await relay.get(`${PATHS.list}?limit=${encodeURIComponent(limit)}`, caller), 400, 'invalid_limit');
    const forged = Buffer.from('e2@example.com').toString('base64url');
    for (const cursor of ['!!!', 'zzzz', 'not a cursor', '%00', '', forged, `${forged}.AAAAAAAAAAAAAAAA`]) {
      expectError(await relay.get(`${PATHS.list}?cursor=${encodeURIComponent(cursor)}`, caller), 400, 'invalid_cursor');
    }
  });

  it('answers unknown paths 404 route_not_found, wrong methods 405 with Allow, and has no test-control profile', async () => {
    const relay = await relayWith();
    for (const path of ['/', '/api/relay/REGISTER', '/api/health/', '/api/relay/broadcast', '/api/relay/broadcast/lookup/extra', '/api/test/clock']) {
      const reply = await relay.call({ path, method: 'POST', json: { advance_seconds: 1 } });
      expectError(reply, 404, 'route_not_found');
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
    }
    for (const [method, path] of [['GET', PATHS.register], ['GET', PATHS.heartbeat], ['POST', PATHS.lookup], ['DELETE', PATHS.list], ['PUT', PATHS.health]] as const) {
      const reply = await relay.call({ method, path, ...(method === 'POST' || method === 'PUT' ? { json: {} } : {}) });
      expectError(reply, 405, 'method_not_allowed');
      expect(reply.headers.allow).toBeTruthy();
    }
  });

  it('expires broadcasts at t + TTL on its injected clock (EXP-1..4, 6)', async () => {
    let now = Date.now();
    const relay = await relayWith({ ttlSeconds: 10, now: () => now });
    const peer = await registered(relay, 'p@example.com');
    const observer = await registered(relay, 'o@example.com');
    const t = now;
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).json.expires_in).toBe(10);
    now = t + 9_999;
    expect((await relay.get(lookupPath(peer.email), observer)).status).toBe(200);
    expect((await relay.get(PATHS.list, observer)).json).toHaveLength(1);
    now = t + 10_000;
    expectError(await relay.get(lookupPath(peer.email), observer), 404, 'peer_not_found');
    expect((await relay.get(PATHS.list, observer)).json).toEqual([]);
    expectError(await relay.post(PATHS.heartbeat, {}, peer), 404, 'no_live_broadcast');
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).status).toBe(200);
    now += 8_000;
    const beat = await relay.post(PATHS.heartbeat, {}, peer);
    expect(beat.json).toMatchObject({ expires_in: 10, broadcast_expires: Math.floor((now + 10_000) / 1000) });
    now += 8_000; // past the ready's expiry, before the heartbeat's (HB-2)
    expect((await relay.get(lookupPath(peer.email), observer)).status).toBe(200);
  });

  it('survives 20 concurrent clients without a 5xx', async () => {
    const relay = await relayWith();
    const peer = await registered(relay, 'busy@example.com');
    const replies = await burstOfLookups(relay, peer, 20);
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 404));
  });
});

describe('the defect switches', () => {
  it("errorStyle 'no-code' and 'own-codes' keep the statuses but not the SPEC codes", async () => {
    const noCode = await relayWith({ errorStyle: 'no-code' });
    const missing = await noCode.get('/api/nothing');
    expect(missing.status).toBe(404);
    expect(Object.keys(missing.json)).toEqual(['error']);
    const ownCodes = await relayWith({ errorStyle: 'own-codes' });
    const peer = await registered(ownCodes, 'own@example.com');
    expect((await ownCodes.post(PATHS.ready, { ...BROADCAST, port: 0 }, peer)).json).toMatchObject({ code: 'BAD_PORT' });
    expect(await ownCodes.get('/api/nothing')).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
    expect(await ownCodes.get(PATHS.list)).toMatchObject({ status: 401, json: { code: 'UNAUTHORIZED' } });
  });

  it('fractionalPort500 answers 500 to port 3.5 and still validates integers', async () => {
    const relay = await relayWith({ fractionalPort500: true });
    const peer = await registered(relay, 'frac@example.com');
    const reply = await relay.post(PATHS.ready, { ...BROADCAST, port: 3.5 }, peer);
    expect({ status: reply.status, body: reply.json }).toEqual({ status: 500, body: { error: 'Internal Server Error' } });
    for (const port of [0, 65536, '8080', undefined]) expectError(await relay.post(PATHS.ready, { ...BROADCAST, port }, peer), 400, 'invalid_port');
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).status).toBe(200);
  });

  it('unvalidatedAddresses stores and echoes any strings', async () => {
    const relay = await relayWith({ unvalidatedAddresses: true });
    const peer = await registered(relay, 'junk@example.com');
    const observer = await registered(relay, 'watch@example.com');
    const addresses = ['banana', '<script>', 'localhost', '01.2.3.4'];
    expect((await relay.post(PATHS.ready, { port: 1234, addresses }, peer)).status).toBe(200);
    expect((await relay.get(lookupPath(peer.email), observer)).json.addresses).toEqual(addresses);
    expectError(await relay.post(PATHS.ready, { port: 1234, addresses: [42] }, peer), 400, 'invalid_addresses');
  });

  it('pemTextIdentity never authenticates a certificate registered with CRLF, 76 columns or whitespace', async () => {
    const relay = await relayWith({ pemTextIdentity: true });
    const plain = await registered(relay, 'plain@example.com');
    expect((await relay.post(PATHS.ready, BROADCAST, plain)).status).toBe(200); // 64-column LF text matches
    for (const style of ['crlf', '76-columns', 'whitespace'] as const) {
      const peer = makePeer(`${style}@example.com`);
      expect((await relay.register(peer, rewrapped(peer.certificatePem, style))).status).toBe(200);
      expectError(await relay.post(PATHS.ready, BROADCAST, peer), 401, 'certificate_not_registered');
    }
  });

  it('omitRoutes removes a route (JSON 404), and htmlNotFound answers it with an HTML page', async () => {
    const relay = await relayWith({ omitRoutes: ['heartbeat'] });
    const peer = await registered(relay, 'hb@example.com');
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).status).toBe(200);
    expectError(await relay.post(PATHS.heartbeat, {}, peer), 404, 'route_not_found');
    expectError(await relay.call({ method: 'GET', path: PATHS.heartbeat, as: peer }), 404, 'route_not_found');
    const html = await relayWith({ omitRoutes: ['heartbeat'], htmlNotFound: true });
    for (const path of [PATHS.heartbeat, '/api/nothing']) {
      const reply = await html.call({ method: 'POST', path, json: {} });
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toMatch(/^text\/html/);
      expect(reply.text).toContain('This page could not be found');
    }
    expect((await html.get(PATHS.health)).json.status).toBe('ok');
  });

  it('poolSize 2 gives a 500 under 20 concurrent requests and never one at a time', async () => {
    const relay = await relayWith({ poolSize: 2 });
    const peer = await registered(relay, 'pool@example.com');
    const sequential: number[] = [];
    for (let i = 0; i < 20; i += 1) sequential.push((await relay.get(lookupPath('nobody@example.com'), peer)).status);
    expect(sequential.every((s) => s === 404)).toBe(true);
    const concurrent = await burstOfLookups(relay, peer, 20);
    const failures = concurrent.filter((r) => r.status === 500);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]?.json).toEqual({ error: 'sorry, too many clients already' });
    expect(concurrent.every((r) => r.status === 500 || r.status === 404)).toBe(true);
  });

  it('http-header believes the certificate header only from a listed proxy, or from anyone when told', async () => {
    const strict = await relayWith({ transport: 'http-header', trustHeaderFrom: ['127.0.0.2'] });
    expect(strict.relay.url).toMatch(/^http:\/\//);
    expect(strict.relay.caPem).toBeNull();
    const peer = await registered(strict, 'proxied@example.com');
    expectError(await strict.call({ method: 'POST', path: PATHS.ready, json: BROADCAST, as: peer, from: '127.0.0.1' }), 401, 'client_certificate_required');
    expect((await strict.call({ method: 'POST', path: PATHS.ready, json: BROADCAST, as: peer, from: '127.0.0.2' })).status).toBe(200);
    const oneLine = peer.certificatePem.trim().replace(/\n/g, ' ');
    expect((await strict.call({ path: PATHS.list, headers: { 'x-ssl-cert': oneLine }, from: '127.0.0.2' })).status).toBe(200); // raw PEM
    expectError(await strict.call({ path: PATHS.list, headers: { 'x-ssl-cert': encodeURIComponent(makePeer('x@example.com').certificatePem) }, from: '127.0.0.2' }), 401, 'certificate_not_registered');

    const open = await relayWith({ transport: 'http-header', trustHeaderFrom: 'anyone', certHeader: 'X-Client-Cert' });
    const forged = await registered(open, 'victim@example.com');
    const reply = await open.call({ path: PATHS.list, headers: { 'x-client-cert': encodeURIComponent(forged.certificatePem) }, from: '127.0.0.1' });
    expect(reply.status).toBe(200);
  });

  it('expiryGraceSeconds keeps expired broadcasts visible to lookup, list and heartbeat; expires_in still the TTL', async () => {
    let now = Date.now();
    const relay = await relayWith({ ttlSeconds: 10, expiryGraceSeconds: 5, now: () => now });
    const peer = await registered(relay, 'late@example.com');
    const observer = await registered(relay, 'eye@example.com');
    const t = now;
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).json.expires_in).toBe(10);
    now = t + 12_000;
    expect((await relay.get(lookupPath(peer.email), observer)).status).toBe(200);
    expect((await relay.get(PATHS.list, observer)).json).toHaveLength(1);
    now = t + 15_000;
    expectError(await relay.get(lookupPath(peer.email), observer), 404, 'peer_not_found');
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).status).toBe(200);
    now += 14_000;
    expect((await relay.post(PATHS.heartbeat, {}, peer)).json).toMatchObject({ status: 'alive', expires_in: 10 });
  });

  it('ttlSeconds is the announced and applied lifetime', async () => {
    let now = Date.now();
    const relay = await relayWith({ ttlSeconds: 600, now: () => now });
    const peer = await registered(relay, 'ttl@example.com');
    const observer = await registered(relay, 'obs@example.com');
    const t = now;
    expect((await relay.post(PATHS.ready, BROADCAST, peer)).json.expires_in).toBe(600);
    const found = await relay.get(lookupPath(peer.email), observer);
    expect(found.json.broadcast_expires - found.json.last_seen).toBe(600);
    now = t + 599_000;
    expect((await relay.get(lookupPath(peer.email), observer)).status).toBe(200);
    now = t + 600_000;
    expect((await relay.get(lookupPath(peer.email), observer)).status).toBe(404);
  });

  it('capabilitiesDroppedInLookup drops capabilities from lookup only', async () => {
    const relay = await relayWith({ capabilitiesDroppedInLookup: true });
    const peer = await registered(relay, 'caps@example.com');
    const observer = await registered(relay, 'lists@example.com');
    expect((await relay.post(PATHS.ready, { ...BROADCAST, capabilities: { files: true } }, peer)).status).toBe(200);
    expect('capabilities' in (await relay.get(lookupPath(peer.email), observer)).json).toBe(false);
    expect((await relay.get(PATHS.list, observer)).json[0].capabilities).toEqual({ files: true });
  });

  it('keepFirstAddresses 8 answers 200 to 16 addresses and keeps 8', async () => {
    const relay = await relayWith({ keepFirstAddresses: 8 });
    const peer = await registered(relay, 'many@example.com');
    const observer = await registered(relay, 'few@example.com');
    const addresses = Array.from({ length: 16 }, (_, i) => `10.0.0.${i + 1}`);
    expect((await relay.post(PATHS.ready, { port: 9000, addresses }, peer)).status).toBe(200);
    expect((await relay.get(lookupPath(peer.email), observer)).json.addresses).toEqual(addresses.slice(0, 8));
  });
});

describe('the CLI', () => {
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
  const children: ChildProcess[] = [];
  afterEach(() => {
    // Whatever the test did, no CLI it started outlives it.
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('prints its URL, serves with the flags given, and exits 0 on SIGTERM', async () => {
    const certOut = join(mkdtempSync(join(tmpdir(), 'foreign-cli-')), 'relay.pem');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--ttl', '600', '--grace', '30', '--cert-out', certOut, '--defect', 'own-codes', '--defect', 'omit-route=heartbeat'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^foreign relay listening on (https:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
    });
    const agent = new Agent({ connect: { ca: readFileSync(certOut, 'utf8') } });
    try {
      const health = await request(`${url}/api/health`, { dispatcher: agent });
      expect(health.statusCode).toBe(200);
      expect(await health.body.json()).toMatchObject({ status: 'ok' });
      const missing = await request(`${url}${PATHS.heartbeat}`, { method: 'POST', body: '{}', dispatcher: agent });
      expect({ status: missing.statusCode, body: await missing.body.json() }).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    } finally {
      await agent.close();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('exits 2 on an unknown defect', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--defect', 'no-such-bug'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(err).toContain('unknown defect');
  });
});
