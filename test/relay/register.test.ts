import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customIdentity, opensslIdentity, startRelayFixture, T0, uniqueEmail, type RelayFixture } from '../support/relay-fixture.ts';

let f: RelayFixture;
beforeAll(async () => {
  f = await startRelayFixture();
});
afterAll(() => f.close());

const register = (certificate: unknown, email: unknown) => f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate, email }) });

describe('POST /api/relay/register', () => {
  it('registers a node-forge-built identity and returns the lower-cased email and an id', async () => {
    const email = uniqueEmail('Mixed-Case').replace('mixed', 'MiXeD');
    const identity = f.identity(email.toLowerCase());
    const reply = await register(identity.certificatePem, email);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'registered', email: email.toLowerCase() });
    expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['only a SAN rfc822Name', (e: string) => opensslIdentity({ subject: '/O=Example', sanEmail: e })],
    ['only subject emailAddress', (e: string) => opensslIdentity({ subject: `/emailAddress=${e}` })],
    ['only CN', (e: string) => opensslIdentity({ subject: `/CN=${e}` })],
  ])('accepts an openssl certificate whose email is in %s', async (_where, make) => {
    const email = uniqueEmail('openssl');
    const reply = await register(make(email).certificatePem, email.toUpperCase());
    expect(reply.status).toBe(200);
    expect(reply.body.email).toBe(email);
  });

  it('answers 409 email_taken for a second registration, whatever the case of the email', async () => {
    const identity = f.identity();
    expect((await register(identity.certificatePem, identity.email)).status).toBe(200);
    const again = await register(identity.certificatePem, identity.email);
    expect(again).toMatchObject({ status: 409, body: { code: 'email_taken' } });
    const otherKey = f.identity(identity.email.toUpperCase());
    expect(await register(otherKey.certificatePem, identity.email.toUpperCase())).toMatchObject({ status: 409, body: { code: 'email_taken' } });
  });

  it('answers 409 certificate_already_registered when one certificate claims a second email', async () => {
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    const both = customIdentity(first, [{ field: 'CN', value: first }], { sanEmails: [second] });
    expect((await register(both.certificatePem, first)).status).toBe(200);
    expect(await register(both.certificatePem, second)).toMatchObject({ status: 409, body: { code: 'certificate_already_registered' } });
  });

  it.each([
    ['not PEM', 'hello', 'invalid_certificate'],
    ['a number', 42, 'invalid_certificate'],
    ['truncated PEM', 'TRUNCATE', 'invalid_certificate'],
    ['two certificates', 'DOUBLE', 'invalid_certificate'],
    ['a tampered certificate', 'TAMPER', 'invalid_certificate'],
  ])('answers 400 for a certificate that is %s', async (_what, certificate, code) => {
    const identity = f.identity();
    const pem = identity.certificatePem;
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf(Buffer.from(identity.email));
    der[at] = der[at] === 0x61 ? 0x62 : 0x61;
    const tampered = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    const value = certificate === 'TRUNCATE' ? pem.slice(0, 300) : certificate === 'DOUBLE' ? pem + pem : certificate === 'TAMPER' ? tampered : certificate;
    expect(await register(value, identity.email)).toMatchObject({ status: 400, body: { code } });
  });

  it.each([
    ['missing', undefined],
    ['not an email', 'not-an-email'],
    ['a number', 7],
  ])('answers 400 invalid_email when the email is %s', async (_what, email) => {
    expect(await register(f.identity().certificatePem, email)).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
  });

  it('answers 400 email_mismatch when the email is not in the certificate', async () => {
    const identity = f.identity();
    expect(await register(identity.certificatePem, uniqueEmail('someone-else'))).toMatchObject({ status: 400, body: { code: 'email_mismatch' } });
  });

  it('answers 400 certificate_not_valid_now for expired and not-yet-valid certificates', async () => {
    const expiredEmail = uniqueEmail('expired');
    const expired = customIdentity(expiredEmail, [{ field: 'CN', value: expiredEmail }], { notBeforeMs: T0 - 10 * 86_400_000, notAfterMs: T0 - 86_400_000 });
    expect(await register(expired.certificatePem, expiredEmail)).toMatchObject({ status: 400, body: { code: 'certificate_not_valid_now' } });
    const futureEmail = uniqueEmail('future');
    const future = customIdentity(futureEmail, [{ field: 'CN', value: futureEmail }], { notBeforeMs: T0 + 86_400_000, notAfterMs: T0 + 10 * 86_400_000 });
    expect(await register(future.certificatePem, futureEmail)).toMatchObject({ status: 400, body: { code: 'certificate_not_valid_now' } });
  });

  it('accepts RSA-2048, ECDSA P-256 and Ed25519 keys', async () => {
    for (const keyType of ['rsa-2048', 'ecdsa-p256', 'ed25519'] as const) {
      const identity = f.identity(uniqueEmail(keyType), keyType);
      expect((await register(identity.certificatePem, identity.email)).status).toBe(200);
    }
  });

  it('answers 400 for bodies that are not a JSON object, and registers nothing', async () => {
    const identity = f.identity();
    expect(await f.raw('POST', '/api/relay/register', { body: '{"certificate":' })).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect(await f.raw('POST', '/api/relay/register', { body: '[1,2]' })).toMatchObject({ status: 400, body: { code: 'invalid_body' } });
    expect(await f.raw('POST', '/api/relay/register', { body: '' })).toMatchObject({ status: 400, body: { code: 'invalid_body' } });
    expect((await register(identity.certificatePem, identity.email)).status).toBe(200);
  });
});
