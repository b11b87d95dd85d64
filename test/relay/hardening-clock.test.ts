/**
 * Hardening item 8 (SPEC TEST-1, TEST-2): the test-control clock moves at
 * most 100 years in total, each step finite, positive and at most ten years;
 * beyond that 400 invalid_clock_advance and the clock stays put. With the
 * memory store and with PostgreSQL (whose bigint maths failed past 2^53 ms),
 * the relay still answers normally at the limit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../reference/relay/stores/test-database.ts';
import { customIdentity, startRelayFixture, T0, uniqueEmail, type RelayFixture } from '../support/relay-fixture.ts';

const YEAR_S = 365 * 86400;
const TEN_YEARS_S = 10 * YEAR_S;

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

async function walkToTheLimit(store: () => Promise<string>) {
  const f: RelayFixture = await startRelayFixture({ testMode: true, ttlSeconds: 60, store: await store() });
  try {
    const advance = (advance_seconds: unknown) => f.raw('POST', '/api/test/clock', { body: JSON.stringify({ advance_seconds }) });
    for (const value of [Infinity, 'NaN', -1, 0, TEN_YEARS_S + 1]) {
      expect(await advance(value)).toMatchObject({ status: 400, body: { code: 'invalid_clock_advance' } });
    }
    let now = 0;
    for (let step = 0; step < 10; step++) {
      const reply = await advance(TEN_YEARS_S);
      expect(reply.status).toBe(200);
      now = reply.body.now;
    }
    expect(now).toBe(Math.floor(T0 / 1000) + 10 * TEN_YEARS_S);
    // 100 years moved: no further step, however small; the clock does not move.
    for (const value of [TEN_YEARS_S, 1, 0.001]) {
      const refused = await advance(value);
      expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_clock_advance' } });
    }
    // The relay still works at that time: register, announce and look up a peer.
    const email = uniqueEmail('future');
    const peer = customIdentity(email, [{ field: 'CN', value: email }], { notBeforeMs: T0, notAfterMs: T0 + 101 * YEAR_S * 1000 });
    expect((await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate: peer.certificatePem, email }) })).status).toBe(200);
    expect((await f.raw('POST', '/api/relay/broadcast/ready', { identity: peer, body: JSON.stringify({ port: 5000, addresses: ['127.0.0.1'] }) })).status).toBe(200);
    const lookup = await f.raw('GET', `/api/relay/broadcast/lookup?email=${encodeURIComponent(email)}`, { identity: peer });
    expect(lookup).toMatchObject({ status: 200, body: { last_seen: now } });
  } finally {
    await f.close();
  }
}

describe('POST /api/test/clock is bounded', () => {
  it('memory store: ten ten-year steps, then 400 invalid_clock_advance', () => walkToTheLimit(async () => 'memory'));

  it('postgres store: ten ten-year steps, then 400 invalid_clock_advance', () =>
    walkToTheLimit(async () => {
      const database = await createTestDatabase();
      databases.push(database);
      return database.url;
    }));
});
