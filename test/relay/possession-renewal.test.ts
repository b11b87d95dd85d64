/**
 * Issue 10 items 11 and 12 over real HTTPS with real client certificates:
 * proof of possession on register (SPEC REG-13, REG-14), certificates that
 * expire while registered (AUTH-6), and renewal (EXT-1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { customIdentity, startRelayFixture, T0, uniqueEmail, type RelayFixture } from '../support/relay-fixture.ts';
import type { StartRelayOptions } from '../../reference/relay/http/start-relay.ts';

const MINUTE_MS = 60_000;
const BROADCAST = { port: 4242, addresses: ['192.0.2.10'] };

let fixtures: RelayFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
});

async function relay(options: StartRelayOptions = {}): Promise<RelayFixture> {
  const f = await startRelayFixture({ ttlSeconds: 3600, ...options });
  fixtures.push(f);
  return f;
}

/** An identity for `email` whose certificate is valid from T0 - 1 min for `validForMs` after T0. */
function shortLived(email: string, validForMs: number) {
  return customIdentity(email, [{ field: 'CN', value: email }], { notBeforeMs: T0 - MINUTE_MS, notAfterMs: T0 + validForMs });
}

const registerBody = (identity: { certificatePem: string; email: string }) => JSON.stringify({ certificate: identity.certificatePem, email: identity.email });

describe('proof of possession on register (SPEC REG-13, REG-14)', () => {
  it('refuses a registration whose client certificate is not the one in the body, and registers nothing', async () => {
    const f = await relay();
    const presenter = f.identity();
    const victim = f.identity();
    const reply = await f.raw('POST', '/api/relay/register', { body: registerBody(victim), identity: presenter });
    expect(reply).toMatchObject({ status: 400, body: { code: 'certificate_mismatch' } });
    // Nothing was stored: the victim registers its own certificate afterwards, presenting it.
    expect(await f.client(victim).register()).toMatchObject({ status: 200, body: { status: 'registered' } });
  });

  it('registers when the presented certificate is the one in the body, and anonymously unless possession is required', async () => {
    const f = await relay();
    expect((await f.client(f.identity()).register()).status).toBe(200);
    const anonymous = f.identity();
    expect((await f.raw('POST', '/api/relay/register', { body: registerBody(anonymous) })).status).toBe(200);
  });

  it('with requirePossession refuses an anonymous registration with 401 client_certificate_required, and takes one presenting the certificate', async () => {
    const f = await relay({ requirePossession: true });
    const peer = f.identity();
    expect(await f.raw('POST', '/api/relay/register', { body: registerBody(peer) })).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
    expect(await f.client(peer).register()).toMatchObject({ status: 200 });
  });

  it('behind a trusted proxy compares the forwarded certificate with the body', async () => {
    const f = await relay({ host: '127.0.0.1', certHeader: 'X-SSL-Cert', trustedProxies: ['127.0.0.2/32'] });
    const presenter = f.identity();
    const victim = f.identity();
    const header = { 'x-ssl-cert': encodeURIComponent(presenter.certificatePem) };
    const refused = await f.raw('POST', '/api/relay/register', { body: registerBody(victim), headers: header, localAddress: '127.0.0.2' });
    // The whole answer in the message: CI once saw invalid_certificate here, not reproduced since.
    expect(refused, JSON.stringify(refused.body)).toMatchObject({ status: 400, body: { code: 'certificate_mismatch' } });
    const own = await f.raw('POST', '/api/relay/register', { body: registerBody(presenter), headers: header, localAddress: '127.0.0.2' });
    expect(own.status).toBe(200);
  });
});

describe('certificates that expire while registered (SPEC AUTH-6)', () => {
  it('authenticates until notAfter and answers 401 certificate_expired from then on, on every authenticated endpoint', async () => {
    const f = await relay();
    const email = uniqueEmail('expiring');
    const peer = shortLived(email, 10 * MINUTE_MS);
    const observer = f.identity();
    expect((await f.client(peer).register()).status).toBe(200);
    expect((await f.client(observer).register()).status).toBe(200);
    expect((await f.client(peer).ready(BROADCAST)).status).toBe(200);
    // notAfter itself is still valid (RFC 5280); a millisecond later it is not.
    f.clock.advanceMs(10 * MINUTE_MS);
    expect((await f.client(peer).heartbeat()).status).toBe(200);
    f.clock.advanceMs(1);
    const client = f.client(peer);
    for (const reply of [await client.heartbeat(), await client.ready(BROADCAST), await client.lookup(observer.email), await client.list()]) {
      expect(reply).toMatchObject({ status: 401, body: { code: 'certificate_expired' } });
      expect(reply.body.error).toMatch(/expired at .*renew/);
    }
  });
});

describe('renewal (SPEC EXT-1)', () => {
  it('is advertised in health by default, and absent (404 route_not_found) when the relay offers no extensions', async () => {
    const on = await relay();
    expect(await on.raw('GET', '/api/health')).toMatchObject({ status: 200, body: { status: 'ok', extensions: ['renew'] } });
    const off = await relay({ extensions: [] });
    const health = await off.raw('GET', '/api/health');
    expect(health.body).toEqual({ status: 'ok' });
    const peer = off.identity();
    await off.client(peer).register();
    expect(await off.client(peer).renew(off.identity(peer.email).certificatePem)).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
  });

  it('replaces the certificate for the same email and id: the new one authenticates, the old one does not, the broadcast stays', async () => {
    const f = await relay();
    const email = uniqueEmail('renewing');
    const old = shortLived(email, 10 * MINUTE_MS);
    const observer = f.identity();
    const registered = await f.client(old).register();
    await f.client(observer).register();
    expect((await f.client(old).ready(BROADCAST)).status).toBe(200);
    const fresh = f.identity(email);
    const renewed = await f.client(old).renew(fresh.certificatePem);
    expect(renewed).toMatchObject({ status: 200, body: { status: 'renewed', email, id: registered.body.id } });
    expect(renewed.body.not_after).toBe(Math.floor(Date.parse(new (await import('node:crypto')).X509Certificate(fresh.certificatePem).validTo) / 1000));
    expect(await f.client(old).heartbeat()).toMatchObject({ status: 401, body: { code: 'certificate_not_registered' } });
    expect(await f.client(observer).lookup(email)).toMatchObject({ status: 200, body: BROADCAST });
    // Past the old certificate's notAfter the new one still authenticates.
    f.clock.advanceMs(20 * MINUTE_MS);
    expect(await f.client(fresh).heartbeat()).toMatchObject({ status: 200, body: { status: 'alive' } });
  });

  it('refuses what a registration would refuse, and what would take another identity', async () => {
    const f = await relay();
    const email = uniqueEmail('owner');
    const owner = f.identity(email);
    const other = f.identity();
    await f.client(owner).register();
    await f.client(other).register();
    const client = f.client(owner);
    expect(await client.renew(f.identity().certificatePem)).toMatchObject({ status: 400, body: { code: 'email_mismatch' } });
    expect(await client.renew(owner.certificatePem)).toMatchObject({ status: 409, body: { code: 'certificate_already_registered' } });
    expect(await client.renew(other.certificatePem)).toMatchObject({ status: 400, body: { code: 'email_mismatch' } });
    // A certificate naming both emails, registered by the other identity: taking it would merge two identities.
    const bothEmail = uniqueEmail('both');
    const withBoth = customIdentity(bothEmail, [{ field: 'CN', value: bothEmail }], { sanEmails: [email] });
    expect((await f.client(withBoth).register()).status).toBe(200);
    expect(await client.renew(withBoth.certificatePem)).toMatchObject({ status: 409, body: { code: 'certificate_already_registered' } });
    const expired = customIdentity(email, [{ field: 'CN', value: email }], { notBeforeMs: T0 - 60 * MINUTE_MS, notAfterMs: T0 - MINUTE_MS });
    expect(await client.renew(expired.certificatePem)).toMatchObject({ status: 400, body: { code: 'certificate_not_valid_now' } });
    expect(await client.renew('not a pem')).toMatchObject({ status: 400, body: { code: 'invalid_certificate' } });
    const named = await f.raw('POST', '/api/relay/renew', { identity: owner, body: JSON.stringify({ certificate: f.identity(email).certificatePem, email: other.email }) });
    expect(named).toMatchObject({ status: 400, body: { code: 'email_mismatch' } });
    expect(await f.raw('POST', '/api/relay/renew', { body: JSON.stringify({ certificate: f.identity(email).certificatePem }) })).toMatchObject({ status: 401, body: { code: 'client_certificate_required' } });
    // Every refusal left the owner's certificate in place.
    expect((await client.ready(BROADCAST)).status).toBe(200);
  });

  it('cannot renew a certificate that has already expired', async () => {
    const f = await relay();
    const email = uniqueEmail('late');
    const old = shortLived(email, MINUTE_MS);
    await f.client(old).register();
    f.clock.advanceMs(2 * MINUTE_MS);
    expect(await f.client(old).renew(f.identity(email).certificatePem)).toMatchObject({ status: 401, body: { code: 'certificate_expired' } });
  });

  it('lets one of two concurrent renewals from one certificate win; the other gets 401', async () => {
    const f = await relay();
    const email = uniqueEmail('race');
    const old = f.identity(email);
    await f.client(old).register();
    const replies = await Promise.all([f.identity(email), f.identity(email)].map((n) => f.client(old).renew(n.certificatePem)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 401]);
  });
});
