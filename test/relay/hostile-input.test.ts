/**
 * Inputs a reviewer used to get 500s out of the relay, against both
 * stores: each must now be a 4xx with a stable code and change nothing.
 */
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSelfSigned } from '../../reference/identity/certificate-builder.ts';
import { createTestDatabase } from '../../reference/relay/stores/test-database.ts';
import { customIdentity, startRelayFixture, T0, type RelayFixture } from '../support/relay-fixture.ts';

/** JSON text of `depth` nested arrays, built as text: JSON.stringify would overflow on our side. */
const deepJson = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** One HTTP/1.1 exchange over a raw TLS socket, the request target exactly as given. */
function rawExchange(port: number, ca: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => socket.write(request));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe.each(['memory', 'postgres'])('hostile input, %s store', (storeKind) => {
  let f: RelayFixture;
  let drop = async (): Promise<void> => {};
  beforeAll(async () => {
    let store = 'memory';
    if (storeKind === 'postgres') {
      const database = await createTestDatabase();
      store = database.url;
      drop = database.drop;
    }
    f = await startRelayFixture({ store });
  });
  afterAll(async () => {
    await f.close();
    await drop();
  });

  it('refuses an email with a NUL or control character at registration, lookup and in a cursor', async () => {
    const email = 'a\u0000b@example.com';
    const withNul = customIdentity(email, [{ field: 'O', value: 'x' }], { sanEmails: [email] });
    expect(await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate: withNul.certificatePem, email }) })).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
    const caller = f.identity();
    await f.client(caller).register();
    expect(await f.raw('GET', '/api/relay/broadcast/lookup?email=a%00b@example.com', { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
    expect(await f.raw('GET', '/api/relay/broadcast/lookup?email=a%07b@example.com', { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
    const cursor = Buffer.from('v1:a\u0000b@example.com').toString('base64url');
    expect(await f.raw('GET', `/api/relay/broadcast/list?cursor=${cursor}`, { identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
  });

  it('refuses deeply nested values with 400 instead of overflowing the stack', async () => {
    const caller = f.identity();
    await f.client(caller).register();
    const nestedCapabilities = `{"port":80,"addresses":["10.0.0.1"],"capabilities":{"a":${deepJson(30_000)}}}`;
    expect(nestedCapabilities.length).toBeLessThan(64 * 1024);
    expect(await f.raw('POST', '/api/relay/broadcast/ready', { body: nestedCapabilities, identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_capabilities' } });
    expect(await f.raw('POST', '/api/relay/broadcast/ready', { body: `{"port":80,"addresses":["10.0.0.1"],"capabilities":{"a":${deepJson(30)}}}`, identity: caller })).toMatchObject({ status: 200 });
    expect(await f.raw('POST', '/api/relay/broadcast/ready', { body: `{"port":${deepJson(30_000)},"addresses":["10.0.0.1"]}`, identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_port' } });
    expect(await f.raw('POST', '/api/relay/broadcast/ready', { body: `{"port":80,"addresses":[${deepJson(30_000)}]}`, identity: caller })).toMatchObject({ status: 400, body: { code: 'invalid_addresses' } });
  });

  it('refuses a certificate whose public key cannot be decoded as invalid (SPEC REG-2)', async () => {
    const email = `odd-key-${storeKind}@example.com`;
    const issued = issueSelfSigned({ keyType: 'rsa-2048', subject: [{ field: 'CN', value: email }], notBeforeMs: T0 - 60_000, notAfterMs: T0 + 86_400_000, usage: 'client' });
    const der = Buffer.from(issued.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const rsaEncryption = Buffer.from('06092a864886f70d010101', 'hex');
    const at = der.indexOf(rsaEncryption);
    expect(at).toBeGreaterThan(0);
    der[at + rsaEncryption.length - 1] = 0x63;
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate: pem, email }) })).toMatchObject({ status: 400, body: { code: 'invalid_certificate' } });
  });
});

describe('request targets and HTTP framing', () => {
  let f: RelayFixture;
  beforeAll(async () => {
    f = await startRelayFixture();
  });
  afterAll(() => f.close());

  it('matches paths exactly as sent: //api/health is not /api/health', async () => {
    const answer = await rawExchange(f.relay.port, f.relay.tlsCertificatePem, 'GET //api/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toContain('"code":"route_not_found"');
    expect(answer).toContain('//api/health');
    expect(await f.raw('GET', '/api/health?x=1')).toMatchObject({ status: 200 });
  });

  it('answers oversized headers with 431, not a generic 400', async () => {
    const text = await rawExchange(f.relay.port, f.relay.tlsCertificatePem, `GET /api/health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
  });
});
