/**
 * Emails are checked in the normalised (lower-case) form that is stored,
 * listed, looked up and put in list cursors (SPEC REG-5, REG-6, LIST-5,
 * LIST-6), against both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSelfSigned } from '../../identity/certificate-builder.ts';
import { x509Inspector } from '../../identity/inspect.ts';
import { ManualClock } from '../../shared/clock.ts';
import { SeededRng } from '../../shared/rng.ts';
import { MemoryStore } from '../stores/memory-store.ts';
import { PostgresStore } from '../stores/postgres-store.ts';
import { createTestDatabase } from '../stores/test-database.ts';
import { RelayCore } from './relay-core.ts';
import type { RelayResponse, RelayStore } from './types.ts';

const T0 = Date.UTC(2026, 10, 23);

interface Peer {
  email: string;
  certificatePem: string;
  fingerprintSha256: string;
}

/** A certificate carrying `email` exactly as given in its CN (UTF8String), as a client may make one. */
function peer(email: string): Peer {
  const issued = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: email }], notBeforeMs: T0 - 60_000, notAfterMs: T0 + 86_400_000, usage: 'client' });
  return { email, certificatePem: issued.certificatePem, fingerprintSha256: issued.fingerprintSha256 };
}

describe.each(['memory', 'postgres'])('emails are validated once normalised, %s store', (storeKind) => {
  let core: RelayCore;
  let store: RelayStore;
  let drop = async (): Promise<void> => {};
  beforeAll(async () => {
    if (storeKind === 'postgres') {
      const database = await createTestDatabase();
      drop = database.drop;
      store = await PostgresStore.open(database.url);
    } else {
      store = new MemoryStore();
    }
    core = new RelayCore({ clock: new ManualClock(T0), rng: new SeededRng(7), store, certificates: x509Inspector, config: { ttlSeconds: 3600, testMode: false } });
  });
  afterAll(async () => {
    await store?.close();
    await drop();
  });

  const call = (who: Peer | null, method: string, path: string, options: { body?: unknown; query?: string } = {}): Promise<RelayResponse> =>
    core.handle({
      method,
      path,
      query: new URLSearchParams(options.query ?? ''),
      bodyText: options.body === undefined ? null : JSON.stringify(options.body),
      principal: who ? { fingerprintSha256: who.fingerprintSha256, source: 'tls' } : null,
    });
  const register = (p: Peer) => call(null, 'POST', '/api/relay/register', { body: { certificate: p.certificatePem, email: p.email } });
  const announce = async (p: Peer) => {
    expect(await register(p)).toMatchObject({ status: 200 });
    expect(await call(p, 'POST', '/api/relay/broadcast/ready', { body: { port: 4000, addresses: ['10.0.0.4'] } })).toMatchObject({ status: 200 });
  };

  it('refuses with invalid_email an email within 254 characters only before lower-casing', async () => {
    // 'İ' (U+0130) lower-cases to 'i' + U+0307: 133 characters as sent, 258 once normalised.
    const raw = `a${'İ'.repeat(125)}@ex.com`;
    expect(raw.length).toBe(133);
    expect(raw.toLowerCase().length).toBe(258);
    expect(await register(peer(raw))).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
    const caller = peer(`caller-${storeKind}@ex.com`);
    expect(await register(caller)).toMatchObject({ status: 200 });
    expect(await call(caller, 'GET', '/api/relay/broadcast/list')).toMatchObject({ status: 200, body: [] });
    expect(await call(caller, 'GET', '/api/relay/broadcast/lookup', { query: `email=${encodeURIComponent(raw)}` })).toMatchObject({ status: 400, body: { code: 'invalid_email' } });
  });

  it('still registers an email that lower-cases to within the limit, and finds it by any case', async () => {
    const raw = `B${'İ'.repeat(10)}-${storeKind}@EX.com`;
    const normalised = raw.toLowerCase();
    expect(await register(peer(raw))).toMatchObject({ status: 200, body: { email: normalised } });
    const caller = peer(`caller2-${storeKind}@ex.com`);
    expect(await register(caller)).toMatchObject({ status: 200 });
    expect(await call(caller, 'GET', '/api/relay/broadcast/lookup', { query: `email=${encodeURIComponent(raw)}` })).toMatchObject({ status: 404, body: { code: 'peer_not_found' } });
  });

  it('follows the next link it issued after a 254-character non-ASCII email, and looks that email up', async () => {
    // 247 three-byte characters: a valid email whose cursor is about 1000 characters long.
    const longest = peer(`${'一'.repeat(247)}@ex.com`);
    expect(longest.email.length).toBe(254);
    const after = peer(`${'中'.repeat(3)}-${storeKind}@ex.com`);
    const caller = peer(`caller3-${storeKind}@ex.com`);
    await announce(longest);
    await announce(after);
    expect(await register(caller)).toMatchObject({ status: 200 });
    const emails: string[] = [];
    let query = 'limit=1';
    for (let page = 0; page < 10; page++) {
      const reply = await call(caller, 'GET', '/api/relay/broadcast/list', { query });
      expect(reply).toMatchObject({ status: 200 });
      emails.push(...(reply.body as Array<{ email: string }>).map((item) => item.email));
      const link = reply.headers?.link;
      if (!link) break;
      const next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1] as string;
      query = new URL(next, 'https://relay.invalid').search.slice(1);
    }
    expect(emails).toEqual([longest.email, after.email]);
    expect(await call(caller, 'GET', '/api/relay/broadcast/lookup', { query: `email=${encodeURIComponent(longest.email)}` })).toMatchObject({ status: 200, body: { email: longest.email } });
  });
});
