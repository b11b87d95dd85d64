/**
 * HTTP-level hardening against a real relay over real TLS: framing edge
 * cases always answer the JSON error (SPEC ERR-1, ERR-5), a duplicated
 * trusted certificate header is refused, registration is rate limited
 * per source address, and repeated warnings do not flood the log.
 */
import pino from 'pino';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayFixture, type RelayFixture } from '../support/relay-fixture.ts';
import { rawTlsExchange } from './raw-tls.ts';

describe('framing answers are JSON errors with a code, never a dropped connection or an empty body', () => {
  let f: RelayFixture;
  beforeAll(async () => {
    f = await startRelayFixture();
  });
  afterAll(() => f.close());
  const send = (text: string) => rawTlsExchange(f.relay.port, f.relay.tlsCertificatePem, text);

  it('answers CONNECT with 405 method_not_allowed instead of dropping the connection', async () => {
    const answer = await send(`CONNECT 127.0.0.1:${f.relay.port} HTTP/1.1\r\nhost: 127.0.0.1:${f.relay.port}\r\n\r\n`);
    expect(answer.status).toBe(405);
    expect(answer.headers['content-type']?.[0]).toMatch(/^application\/json/);
    expect(answer.json).toMatchObject({ code: 'method_not_allowed', error: expect.any(String) });
    expect(answer.headers.allow).toBeDefined();
  });

  it('answers an HTTP/1.1 request without Host, or with two, with 400 invalid_request', async () => {
    const none = await send('GET /api/health HTTP/1.1\r\n\r\n');
    expect(none.status).toBe(400);
    expect(none.json).toMatchObject({ code: 'invalid_request', error: expect.stringMatching(/Host/) });
    const two = await send('GET /api/health HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n');
    expect(two.status).toBe(400);
    expect(two.json).toMatchObject({ code: 'invalid_request' });
    // HTTP/1.0 has no Host requirement.
    expect((await send('GET /api/health HTTP/1.0\r\n\r\n')).json).toEqual({ status: 'ok', extensions: ['renew'] });
  });

  it('answers an Expect other than 100-continue with 417 expectation_failed', async () => {
    const answer = await send('POST /api/relay/register HTTP/1.1\r\nhost: x\r\nexpect: foo\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
    expect(answer.status).toBe(417);
    expect(answer.json).toMatchObject({ code: 'expectation_failed', error: expect.any(String) });
    // 100-continue still works.
    const proceed = await send('GET /api/health HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\n\r\n');
    expect(proceed.raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });

  it('routes an absolute-form request target on its path and query (RFC 9112 3.2.2)', async () => {
    const base = `https://127.0.0.1:${f.relay.port}`;
    const health = await send(`GET ${base}/api/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', extensions: ['renew'] });
    const withQuery = await send(`GET ${base}/api/relay/broadcast/lookup?email=a%40b.example HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    expect(withQuery.status).toBe(401);
    expect(withQuery.json).toMatchObject({ code: 'client_certificate_required' });
    const unknown = await send(`GET ${base}/api/nope HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    expect(unknown.json).toMatchObject({ code: 'route_not_found' });
    // Still exact: `//` is not resolved away.
    expect((await send(`GET ${base}//api/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`)).json).toMatchObject({ code: 'route_not_found' });
  });
});

describe('a trusted proxy header that names more than one certificate', () => {
  let f: RelayFixture;
  beforeAll(async () => {
    f = await startRelayFixture({ certHeader: 'X-SSL-Cert', trustedProxies: ['127.0.0.1/32'] });
  });
  afterAll(() => f.close());

  const ready = (headerLines: string) => {
    const body = JSON.stringify({ port: 9000, addresses: ['10.0.0.9'] });
    return rawTlsExchange(f.relay.port, f.relay.tlsCertificatePem, `POST /api/relay/broadcast/ready HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${headerLines}\r\n${body}`);
  };

  it('refuses two headers, or two certificates in one, with 400 ambiguous_client_certificate; one still authenticates', async () => {
    const first = f.identity();
    const second = f.identity();
    await f.client(first).register();
    await f.client(second).register();
    const a = encodeURIComponent(first.certificatePem);
    const b = encodeURIComponent(second.certificatePem);

    const twoHeaders = await ready(`x-ssl-cert: ${a}\r\nx-ssl-cert: ${b}\r\n`);
    expect(twoHeaders.status).toBe(400);
    expect(twoHeaders.json).toMatchObject({ code: 'ambiguous_client_certificate' });
    const twoInOne = await ready(`x-ssl-cert: ${encodeURIComponent(first.certificatePem + second.certificatePem)}\r\n`);
    expect(twoInOne.status).toBe(400);
    expect(twoInOne.json).toMatchObject({ code: 'ambiguous_client_certificate' });
    const rawTwo = await ready(`x-ssl-cert: ${(first.certificatePem + second.certificatePem).replace(/\n/g, ' ')}\r\n`);
    expect(rawTwo.json).toMatchObject({ code: 'ambiguous_client_certificate' });
    // Same certificate twice is still two headers: never merged, never guessed.
    expect((await ready(`x-ssl-cert: ${a}\r\nx-ssl-cert: ${a}\r\n`)).json).toMatchObject({ code: 'ambiguous_client_certificate' });
    // Nothing was announced by the refused requests.
    expect((await f.client(second).lookup(first.email)).status).toBe(404);

    const one = await ready(`x-ssl-cert: ${a}\r\n`);
    expect(one.status).toBe(200);
    expect((await f.client(second).lookup(first.email)).status).toBe(200);
  });
});

describe('registration rate limit per source address', () => {
  let f: RelayFixture;
  beforeAll(async () => {
    f = await startRelayFixture({ registerRateLimit: { ratePerSecond: 0.5, burst: 3 } });
  });
  afterAll(() => f.close());

  it('allows the burst, answers 429 rate_limited with Retry-After, and allows again once the clock has moved', async () => {
    const identities = [f.identity(), f.identity(), f.identity(), f.identity()];
    for (const identity of identities.slice(0, 3)) expect((await f.client(identity).register()).status).toBe(200);
    const refused = await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate: identities[3]?.certificatePem, email: identities[3]?.email }) });
    expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited', error: expect.any(String) } });
    expect(refused.headers['retry-after']).toBe('2');
    // Another source address has its own bucket.
    const elsewhere = f.identity();
    expect((await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate: elsewhere.certificatePem, email: elsewhere.email }), localAddress: '127.0.0.2' })).status).toBe(200);
    // Other endpoints are not limited.
    expect((await f.raw('GET', '/api/health')).status).toBe(200);
    f.clock.advanceMs(1_000);
    expect((await f.raw('POST', '/api/relay/register', { body: '{}' })).headers['retry-after']).toBe('1');
    f.clock.advanceMs(2_000);
    // The refused registration stored nothing: it goes through now.
    expect((await f.client(identities[3]).register()).status).toBe(200);
  });

  it('is off unless asked for in the library API (the conformance suite registers hundreds of identities)', async () => {
    const unlimited = await startRelayFixture();
    try {
      for (let i = 0; i < 30; i += 1) expect((await unlimited.raw('POST', '/api/relay/register', { body: '{}' })).status).toBe(400);
    } finally {
      await unlimited.close();
    }
  });
});

describe('repeated warnings', () => {
  it('logs the certificate header from an untrusted address once, with the count of the repeats, not once per request', async () => {
    const lines: Array<Record<string, any>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const f = await startRelayFixture({ certHeader: 'X-SSL-Cert', trustedProxies: ['127.0.0.2'], logger });
    const agent = new Agent({ connect: { ca: f.relay.tlsCertificatePem }, connections: 4 });
    try {
      const header = encodeURIComponent(f.identity().certificatePem);
      for (let batch = 0; batch < 50; batch += 1) {
        await Promise.all(Array.from({ length: 10 }, async () => {
          const answer = await request(new URL('/api/health', f.relay.url), { dispatcher: agent, headers: { 'x-ssl-cert': header } });
          await answer.body.text();
          expect(answer.statusCode).toBe(200);
        }));
      }
    } finally {
      await agent.close();
      await f.close();
    }
    const warnings = lines.filter((l) => /ignored X-SSL-Cert header from untrusted address/.test(l.msg));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.length).toBeLessThanOrEqual(5);
    expect(warnings[0]).toMatchObject({ level: 40, remote: '127.0.0.1' });
    expect(warnings.at(-1)?.msg).toMatch(/repeated \d+ more times/);
    expect(warnings.reduce((sum, l) => sum + (l.suppressed ?? 1), 0)).toBe(500);
  });
});
