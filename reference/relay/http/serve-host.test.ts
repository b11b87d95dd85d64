/**
 * RFC 9112 3.2: exactly one Host on an HTTP/1.1 request. serve.ts counts
 * them in rawHeaders, where names keep the case the client sent: copies
 * that differ only in case are still two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayFixture, type RelayFixture } from '../../../test/support/relay-fixture.ts';
import { rawTlsExchange } from '../../../test/relay/raw-tls.ts';

describe('the Host header count', () => {
  let f: RelayFixture;
  beforeAll(async () => {
    f = await startRelayFixture();
  });
  afterAll(() => f.close());
  const send = (text: string) => rawTlsExchange(f.relay.port, f.relay.tlsCertificatePem, text);

  it('reads a Host header in any case, and refuses two that differ only in case', async () => {
    expect((await send('GET /api/health HTTP/1.1\r\nHoSt: x\r\n\r\n')).status).toBe(200);
    const two = await send('GET /api/health HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n');
    expect(two.status).toBe(400);
    expect(two.json).toMatchObject({ code: 'invalid_request', error: 'more than one Host header' });
  });
});
