/**
 * RemoteHouse's bridge refuses what a local UI must refuse (issue 12,
 * "Security of a local UI"), over real sockets: no token, a wrong token,
 * a foreign Host (DNS rebinding), a foreign Origin, CORS preflights; and
 * it answers its own page's calls with the contract's shapes.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_PATHS, BRIDGE_TOKEN_HEADER } from '../../reference/peer/ui/bridge-contract.ts';
import { startRemoteHouse } from '../../reference/peer/ui/bridge-server.ts';
import { A_EMAIL, startFixture, type Fixture } from './fixture.ts';

let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture();
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request with exactly these headers (Host included): node:http lets a test lie about Host. */
function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: fx.ui.port, method, path, headers: { host: `127.0.0.1:${fx.ui.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const withToken = () => ({ [BRIDGE_TOKEN_HEADER]: fx.ui.token });

describe('RemoteHouse bridge: who may call it', () => {
  it('prints a loopback link whose fragment carries the token, and listens on loopback only', () => {
    expect(fx.ui.url).toBe(`http://127.0.0.1:${fx.ui.port}/#t=${fx.ui.token}`);
    expect(fx.ui.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startRemoteHouse({ peer: fx.b, host: '0.0.0.0' as never })).rejects.toThrow(/loopback only/);
  });

  it('refuses a bridge call without the token (401 token_required), or with a wrong one', async () => {
    const none = await call('GET', BRIDGE_PATHS.me, {});
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ code: 'token_required', hint: expect.stringContaining('#t=') });
    const wrong = await call('GET', BRIDGE_PATHS.friends, { [BRIDGE_TOKEN_HEADER]: `${fx.ui.token.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text).error).toBe('wrong RemoteHouse token');
    // The token in the query string is not the token: it must come as a header.
    const inUrl = await call('GET', `${BRIDGE_PATHS.me}?t=${fx.ui.token}`, {});
    expect(inUrl.status).toBe(401);
  });

  it.each([
    ['a rebinding name', (port: number) => `evil.example:${port}`],
    ['localhost', (port: number) => `localhost:${port}`],
    ['another port', (port: number) => `127.0.0.1:${port + 1}`],
    ['no port', () => '127.0.0.1'],
  ])('refuses a foreign Host (%s) with 403 host_forbidden, on the page and the bridge, even with the token', async (_what, host) => {
    for (const path of ['/', '/app.js', BRIDGE_PATHS.me]) {
      const answer = await call('GET', path, { host: host(fx.ui.port), ...withToken() });
      expect(answer.status, path).toBe(403);
      expect(JSON.parse(answer.text).code).toBe('host_forbidden');
      expect(answer.text).not.toContain(fx.ui.token);
    }
  });

  it('refuses a foreign Origin (403 origin_forbidden) and grants no CORS: no Access-Control-* header on any answer', async () => {
    const foreign = await call('POST', BRIDGE_PATHS.friends, { origin: 'http://evil.example', 'content-type': 'application/json', ...withToken() }, JSON.stringify({ email: 'x@y.test' }));
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text).code).toBe('origin_forbidden');
    const preflight = await call('OPTIONS', BRIDGE_PATHS.me, { origin: `http://127.0.0.1:${fx.ui.port}`, 'access-control-request-method': 'GET', 'access-control-request-headers': BRIDGE_TOKEN_HEADER });
    expect(preflight.status).not.toBe(204);
    for (const answer of [foreign, preflight, await call('GET', BRIDGE_PATHS.me, withToken())]) {
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('serves the page without the token, under a CSP that runs only same-origin scripts, never framed', async () => {
    const page = await call('GET', '/', {});
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/app.js"></script>');
    expect(page.text).not.toMatch(/<script>(?!<)/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const js = await call('GET', '/app.js', {});
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.text.length).toBeGreaterThan(1000);
    expect(js.text).not.toContain(fx.ui.token);
  });

  it('answers its own calls: me, peers with a filter, lookup; bad input is a JSON error with a code, never a 500', async () => {
    const me = JSON.parse((await call('GET', BRIDGE_PATHS.me, withToken())).text);
    expect(me).toMatchObject({ email: 'bob@remotehouse.test', state: 'live', relayUrl: fx.relay.url, addresses: ['127.0.0.1'] });
    expect(me.fingerprintSha256).toBe(fx.b.currentIdentity().fingerprintSha256);
    const peers = JSON.parse((await call('GET', `${BRIDGE_PATHS.peers}?q=ALICE`, withToken())).text);
    expect(peers.peers.map((p: { email: string }) => p.email)).toEqual([A_EMAIL]);
    expect(peers.peers[0].addresses).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.1']);
    const none = JSON.parse((await call('GET', `${BRIDGE_PATHS.peers}?q=nobody-has-this`, withToken())).text);
    expect(none).toMatchObject({ peers: [], nextCursor: null, scanned: 1 });
    const lookup = JSON.parse((await call('GET', `${BRIDGE_PATHS.lookup}?email=${A_EMAIL}`, withToken())).text);
    expect(lookup).toMatchObject({ found: true, port: fx.a.port });
    for (const [method, path, body, code] of [
      ['GET', `${BRIDGE_PATHS.peers}?limit=0`, undefined, 'invalid_limit'],
      ['GET', `${BRIDGE_PATHS.lookup}?email=nope`, undefined, 'invalid_email'],
      ['POST', BRIDGE_PATHS.friends, '{not json', 'bad_request'],
      ['POST', BRIDGE_PATHS.friends, '[]', 'bad_request'],
      ['POST', BRIDGE_PATHS.friends, '{"email": 7}', 'invalid_email'],
      ['POST', BRIDGE_PATHS.friends, JSON.stringify({ email: 'x'.repeat(20_000) }), 'body_too_large'],
      ['POST', BRIDGE_PATHS.friends, '{"email": "BOB@remotehouse.test"}', 'friend_is_self'],
      ['DELETE', BRIDGE_PATHS.friend('nobody@remotehouse.test'), undefined, 'not_a_friend'],
      ['POST', `${BRIDGE_PATHS.friend('nobody@remotehouse.test')}/check`, undefined, 'not_a_friend'],
      ['POST', BRIDGE_PATHS.connect, '{}', 'invalid_email'],
      ['POST', BRIDGE_PATHS.connect, JSON.stringify({ email: A_EMAIL, strategy: 'fastest' }), 'invalid_strategy'],
      ['DELETE', '/bridge/friends/%E0%A4%A', undefined, 'bad_request'],
      ['GET', '/bridge/nothing', undefined, 'not_found'],
      ['PUT', BRIDGE_PATHS.friends, '{}', 'not_found'],
    ] as const) {
      const answer = await call(method, path, { 'content-type': 'application/json', ...withToken() }, body);
      expect(answer.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${method} ${path}`).toBeLessThan(500);
      expect(JSON.parse(answer.text).code, `${method} ${path}`).toBe(code);
    }
  });

  it('streams a visit: the lookup, the decoy failing as wrong_host, the silent address timing out, then A as the verified winner', async () => {
    const answer = await call('POST', BRIDGE_PATHS.connect, { 'content-type': 'application/json', ...withToken() }, JSON.stringify({ email: A_EMAIL }));
    expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = answer.text
      .split('\n\n')
      .filter((block) => block.startsWith('event: '))
      .map((block) => JSON.parse(block.split('\ndata: ')[1]!));
    expect(events.map((e) => e.type)).toEqual(['lookup', 'attempt_started', 'attempt', 'attempt_started', 'attempt', 'attempt_started', 'attempt', 'done']);
    expect(events[1]).toEqual({ type: 'attempt_started', index: 0, address: '127.0.0.2', port: fx.a.port });
    expect(events[2].attempt).toMatchObject({ index: 0, address: '127.0.0.2', outcome: 'wrong_host', seenEmail: 'mallory@remotehouse.test' });
    expect(events[4].attempt).toMatchObject({ index: 1, address: '127.0.0.3', outcome: 'timeout', seenEmail: null });
    expect(events[6].attempt).toMatchObject({ index: 2, address: '127.0.0.1', outcome: 'ok' });
    expect(events[7]).toMatchObject({ outcome: 'connected', origin: `http://127.0.0.1:${fx.a.port}`, verifiedEmail: A_EMAIL });
  });
});
