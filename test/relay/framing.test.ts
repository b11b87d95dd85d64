import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayFixture, type RelayFixture } from '../support/relay-fixture.ts';

let f: RelayFixture;
beforeAll(async () => {
  f = await startRelayFixture({ testMode: true, ttlSeconds: 100 });
});
afterAll(() => f.close());

describe('framing and errors: never a 500 for what a client sent', () => {
  it('answers 413 body_too_large past 64 KiB', async () => {
    const reply = await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }) });
    expect(reply).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
  });

  it('answers 404 route_not_found and 405 method_not_allowed with Allow', async () => {
    expect(await f.raw('GET', '/api/relay/nope')).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
    const wrong = await f.raw('GET', '/api/relay/register');
    expect(wrong).toMatchObject({ status: 405, body: { code: 'method_not_allowed' } });
    expect(wrong.headers.allow).toBe('POST');
    expect((await f.raw('DELETE', '/api/relay/broadcast/lookup')).headers.allow).toBe('GET, HEAD');
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const identity = f.identity();
    await f.client(identity).register();
    for (const body of ['{', '{"port": 80,}', 'nul', '\u0000']) {
      expect(await f.raw('POST', '/api/relay/broadcast/ready', { body, identity })).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    }
  });

  it('answers a heartbeat whose body is not a JSON object with 400 and leaves the expiry alone (SPEC ERR-2, ERR-7)', async () => {
    const peer = f.identity();
    const observer = f.identity();
    await f.client(peer).register();
    await f.client(observer).register();
    await f.client(peer).ready({ port: 7, addresses: ['10.0.0.7'] });
    const before = await f.client(observer).lookup(peer.email);
    f.clock.advanceMs(10_000);
    for (const body of ['{not json', '{', '{"a": 1,}', 'nul']) {
      expect(await f.raw('POST', '/api/relay/broadcast/heartbeat', { body, identity: peer })).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    }
    for (const body of ['[1]', '[]', '1', '"alive"', 'null']) {
      expect(await f.raw('POST', '/api/relay/broadcast/heartbeat', { body, identity: peer })).toMatchObject({ status: 400, body: { code: 'invalid_body' } });
    }
    // Refused heartbeats moved nothing.
    expect((await f.client(observer).lookup(peer.email)).body).toEqual(before.body);
    // HB-1 defines no request body: none, an empty or blank one, or any JSON object is accepted.
    for (const body of [undefined, '', '  \n', '{}', '{"note": "ignored"}']) {
      expect(await f.raw('POST', '/api/relay/broadcast/heartbeat', { identity: peer, ...(body === undefined ? {} : { body }) })).toMatchObject({ status: 200, body: { status: 'alive' } });
    }
  });

  it('answers garbage HTTP on a TLS connection with a 400 and keeps serving', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: f.relay.port, ca: f.relay.tlsCertificatePem }, () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      socket.on('data', (d) => (out += d.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(await f.raw('GET', '/api/health')).toMatchObject({ status: 200 });
  });

  it('offers the test-control clock only in test mode (SPEC TEST-1)', async () => {
    const target = f.identity();
    const client = f.client(target);
    await client.register();
    await client.ready({ port: 5, addresses: ['10.0.0.5'] });
    const before = Math.floor(f.clock.nowMs() / 1000);
    const advanced = await f.raw('POST', '/api/test/clock', { body: JSON.stringify({ advance_seconds: 100 }) });
    expect(advanced).toMatchObject({ status: 200, body: { now: before + 100 } });
    expect((await client.heartbeat()).status).toBe(404);
    expect(await f.raw('POST', '/api/test/clock', { body: JSON.stringify({ advance_seconds: -1 }) })).toMatchObject({ status: 400, body: { code: 'invalid_clock_advance' } });
    const production = await startRelayFixture();
    try {
      expect(await production.raw('POST', '/api/test/clock', { body: JSON.stringify({ advance_seconds: 1 }) })).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
    } finally {
      await production.close();
    }
  });
});
