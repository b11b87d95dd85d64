import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type BroadcastRecord, type IdentityRecord, type NewIdentityRecord, type RelayStore } from '../core/types.ts';
import { migrateSchema, POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import { PostgresStore } from './postgres-store.ts';
import { describeRelayStoreContract } from './store-contract.ts';
import { adminDatabaseUrl, createTestDatabase, type TestDatabase } from './test-database.ts';
import { TcpForwarder, unusedLocalPort } from './test-tcp-forwarder.ts';

// The contract runs on databases whose default collation is ICU en-US, which
// orders punctuation unlike JavaScript: the sort test passes only because the
// schema pins COLLATE "C" (see the collation check below).
const CONTRACT_LOCALE = 'en-US';

describeRelayStoreContract('PostgresStore', async () => {
  const database = await createTestDatabase({ icuLocale: CONTRACT_LOCALE });
  try {
    const store = await PostgresStore.open(database.url, { poolSize: 4 });
    return {
      store,
      async cleanup() {
        await store.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
});

const T0_MS = Date.UTC(2026, 0, 1);

function identity(email: string, fingerprintSha256 = email.padEnd(64, '0')): NewIdentityRecord {
  return { id: `id-${email}`, email, fingerprintSha256, certificatePem: `pem of ${email}`, registeredAtMs: T0_MS, notBeforeMs: null, notAfterMs: null };
}

function broadcast(email: string, overrides: Partial<BroadcastRecord> = {}): BroadcastRecord {
  return {
    broadcastId: `b-${email}`,
    email,
    port: 40000,
    addresses: ['192.168.1.20', '198.51.100.4'],
    capabilities: { files: true },
    lastSeenMs: T0_MS,
    expiresAtMs: T0_MS + 3_600_000,
    ...overrides,
  };
}

/** One SQL statement on its own connection, as an operator would run it. */
async function sql<Row extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgresStore on a real server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function freshDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    return database;
  }

  /** A fresh database reached through a TCP forwarder the test can stop, freeze and restart. */
  async function databaseBehindForwarder(): Promise<{ forwarder: TcpForwarder; url: URL }> {
    const database = await freshDatabase();
    const admin = new URL(adminDatabaseUrl());
    const forwarder = await TcpForwarder.start(admin.hostname, Number(admin.port || 5432));
    cleanups.push(() => forwarder.stop());
    const url = new URL(database.url);
    url.port = String(forwarder.port);
    return { forwarder, url };
  }

  async function openStore(url: string, options?: Parameters<typeof PostgresStore.open>[1]): Promise<PostgresStore> {
    const store = await PostgresStore.open(url, options);
    cleanups.push(() => store.close());
    return store;
  }

  it('is durable and shows its URL without the password', async () => {
    const database = await freshDatabase();
    const store = await openStore(database.url);
    expect(store.durable).toBe(true);
    expect(store.description).toMatch(/^postgres \(durable: registrations and broadcasts survive restarts\)/);
    expect(store.description).toContain(database.name);
    expect(store.description).toContain(':***@');
    const password = new URL(database.url).password;
    expect(password).not.toBe('');
    expect(store.description).not.toContain(`:${password}@`);
  });

  it('lets two stores on one database see each other\'s writes at once', async () => {
    const database = await freshDatabase();
    const first = await openStore(database.url);
    const second = await openStore(database.url);

    const alice = identity('alice@example.com');
    expect(await first.insertIdentity(alice)).toBe('inserted');
    expect(await second.findIdentityByFingerprint(alice.fingerprintSha256)).toEqual(alice);
    expect(await second.insertIdentity({ ...identity('alice@example.com', 'f'.repeat(64)), id: 'other' })).toBe('email_taken');

    await first.putBroadcast(broadcast('alice@example.com'));
    expect(await second.findLiveBroadcast('alice@example.com', T0_MS)).toEqual(broadcast('alice@example.com'));

    const extended = await second.extendBroadcast('alice@example.com', T0_MS + 10, T0_MS + 7_200_000);
    expect(extended?.expiresAtMs).toBe(T0_MS + 7_200_000);
    expect((await first.findLiveBroadcast('alice@example.com', T0_MS + 3_600_000))?.lastSeenMs).toBe(T0_MS + 10);

    await second.insertIdentity(identity('bob@example.com'));
    await second.putBroadcast(broadcast('bob@example.com'));
    const listed = await first.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'carol@example.com', afterEmail: null, limit: 10 });
    expect(listed.map((b) => b.email)).toEqual(['alice@example.com', 'bob@example.com']);
    expect(await first.deleteExpiredBroadcasts(T0_MS + 3_600_000)).toBe(1);
    expect(await second.countLiveBroadcasts(T0_MS + 3_600_000)).toBe(1);
  });

  it('answers concurrent lookups sent as one statement exactly as each alone, each at its own time', async () => {
    // Made in one turn, the 60 go out as one statement; each checked alone afterwards goes in its own.
    const store = await openStore((await freshDatabase()).url, { poolSize: 1 });
    const emails = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'];
    for (const email of emails) expect(await store.insertIdentity(identity(email))).toBe('inserted');
    await store.putBroadcast(broadcast('a@example.com'));
    await store.putBroadcast(broadcast('b@example.com', { expiresAtMs: T0_MS + 1_000, capabilities: null }));
    const callers = [...emails.map((e) => identity(e).fingerprintSha256), 'f'.repeat(64)]; // the last is unregistered
    const targets = [...emails, 'nobody@example.com'];
    const asked = Array.from({ length: 60 }, (_, i) => ({
      fingerprint: callers[i % callers.length] as string,
      email: targets[(i * 7) % targets.length] as string,
      nowMs: T0_MS + (i % 3) * 999, // b@example.com is live at the first two of these times only
    }));
    const together = await Promise.all(asked.map((q) => store.findIdentityAndLiveBroadcast(q.fingerprint, q.email, q.nowMs)));
    const alone = [];
    for (const q of asked) alone.push(await store.findIdentityAndLiveBroadcast(q.fingerprint, q.email, q.nowMs));
    expect(together).toEqual(alone);
    // And they are the right ones, not merely alike: who is registered, and what is live at each time.
    const callerEmail = new Map(emails.map((e) => [identity(e).fingerprintSha256, e]));
    const liveAt = (email: string, nowMs: number) => email === 'a@example.com' || (email === 'b@example.com' && nowMs < T0_MS + 1_000);
    const expected = asked.map((q) => {
      const caller = callerEmail.get(q.fingerprint);
      return caller === undefined ? null : [caller, liveAt(q.email, q.nowMs) ? q.email : null];
    });
    expect(together.map((answer) => (answer === null ? null : [answer.identity.email, answer.broadcast?.email ?? null]))).toEqual(expected);
    expect(new Set(expected.map((e) => JSON.stringify(e))).size).toBeGreaterThanOrEqual(4); // hits, misses by time and by email, unknown callers
    // The 60 concurrent lookups went out in one statement, then the 60 sequential ones one each; none refused.
    expect(store.lookupCounts).toMatchObject({ statements: 61, calls: 120, largest: 60, retriedBatches: 0 });
  });

  it('fails only the lookup the server refuses when it was sent with others (an email holding a NUL byte)', async () => {
    const store = await openStore((await freshDatabase()).url, { poolSize: 1 });
    const alice = identity('alice@example.com');
    expect(await store.insertIdentity(alice)).toBe('inserted');
    await store.putBroadcast(broadcast('alice@example.com'));
    const targets = ['alice@example.com', 'bad\u0000@example.com', 'alice@example.com', 'nobody@example.com'];
    const answers = await Promise.allSettled(targets.map((email) => store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, email, T0_MS)));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((answers[1] as PromiseRejectedResult).reason).not.toBeInstanceOf(StoreUnavailableError);
    expect((answers[2] as PromiseFulfilledResult<unknown>).value).toMatchObject({ broadcast: { email: 'alice@example.com' } });
    expect((answers[3] as PromiseFulfilledResult<unknown>).value).toMatchObject({ broadcast: null });
  });

  it('keeps registrations and broadcasts across close and reopen', async () => {
    const database = await freshDatabase();
    const before = await PostgresStore.open(database.url);
    const alice = identity('alice@example.com');
    const record = broadcast('alice@example.com', { addresses: ['10.0.0.1', '10.0.0.1', '::1'], capabilities: { v: [1, 2] } });
    await before.insertIdentity(alice);
    await before.putBroadcast(record);
    await before.close();

    const after = await openStore(database.url);
    expect(await after.findIdentityByFingerprint(alice.fingerprintSha256)).toEqual(alice);
    expect(await after.findLiveBroadcast('alice@example.com', T0_MS)).toEqual(record);
    expect(await after.insertIdentity(alice)).toBe('email_taken');
  });

  it('migrates a fresh database once when several stores open it at the same time', async () => {
    const database = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(database.url, { poolSize: 2 })));
    const versions = await sql<{ version: number }>(database.url, 'SELECT version FROM relaylab_schema_version ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));

    // Reopening an up-to-date database applies nothing.
    await openStore(database.url);
    expect(await sql(database.url, 'SELECT version FROM relaylab_schema_version')).toHaveLength(POSTGRES_MIGRATIONS.length);

    await stores[0]!.insertIdentity(identity('alice@example.com'));
    expect(await stores[3]!.findIdentityByFingerprint(identity('alice@example.com').fingerprintSha256)).not.toBeNull();
  });

  it('upgrades a version-1 database in place: identities registered before keep working, with no stored validity window', async () => {
    const database = await freshDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await migrateSchema(client, POSTGRES_MIGRATIONS.filter((m) => m.version === 1));
      await client.query("INSERT INTO relay_identities (id, email, fingerprint_sha256, certificate_pem, registered_at_ms) VALUES ('id-old', 'old@example.com', $1, 'pem of old', 1)", ['f'.repeat(64)]);
    } finally {
      await client.end();
    }
    const store = await openStore(database.url);
    expect(await store.findIdentityByFingerprint('f'.repeat(64))).toEqual({ id: 'id-old', email: 'old@example.com', fingerprintSha256: 'f'.repeat(64), certificatePem: 'pem of old', registeredAtMs: 1, notBeforeMs: null, notAfterMs: null });
    const versions = await sql<{ version: number }>(database.url, 'SELECT version FROM relaylab_schema_version ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses to start on a schema newer than it knows', async () => {
    const database = await freshDatabase();
    await (await PostgresStore.open(database.url)).close();
    await sql(database.url, "INSERT INTO relaylab_schema_version (version, description) VALUES (9999, 'from the future')");
    await expect(PostgresStore.open(database.url)).rejects.toThrow(/schema is at version 9999/);
  });

  it('prepares its statements unless the URL says ?relaylab_prepared=off: a prepared plan then breaks on a column type change, an unprepared one does not', async () => {
    for (const [param, prepared] of [['', true], ['relaylab_prepared=off', false]] as const) {
      const database = await freshDatabase();
      const url = new URL(database.url);
      if (param) url.search = param;
      const store = await PostgresStore.open(url.toString(), { poolSize: 1 });
      cleanups.push(() => store.close());
      expect(store.description).not.toContain('relaylab_prepared');
      const alice = identity('alice@example.com');
      expect(await store.insertIdentity(alice)).toBe('inserted');
      expect(await store.findIdentityByFingerprint(alice.fingerprintSha256)).toMatchObject({ email: alice.email });
      // What a prepared statement cannot survive (PostgreSQL: "cached plan must not change result type").
      await sql(database.url, 'ALTER TABLE relay_identities ALTER COLUMN registered_at_ms TYPE numeric');
      const again = store.findIdentityByFingerprint(alice.fingerprintSha256);
      if (prepared) await expect(again).rejects.toThrow();
      else expect(await again).toMatchObject({ email: alice.email });
    }
  });

  it('refuses a ?relaylab_prepared value other than on or off', async () => {
    const database = await freshDatabase();
    await expect(PostgresStore.open(`${database.url}?relaylab_prepared=maybe`)).rejects.toThrow(/relaylab_prepared must be on or off, got "maybe"/);
  });

  it('has the database reject an email that is not lower-case (SPEC REG-6)', async () => {
    const database = await freshDatabase();
    const store = await openStore(database.url);
    await expect(store.insertIdentity(identity('Alice@Example.com'))).rejects.toMatchObject({
      code: '23514',
      constraint: 'relay_identities_email_lower_case',
    });
    await expect(
      sql(database.url, "INSERT INTO relay_identities VALUES ('x', 'BOB@example.com', 'ff', 'pem', 0)"),
    ).rejects.toMatchObject({ code: '23514' });
    expect(await sql(database.url, 'SELECT * FROM relay_identities')).toEqual([]);
  });

  it('has the database refuse a broadcast for an email that never registered', async () => {
    const database = await freshDatabase();
    const store = await openStore(database.url);
    await expect(store.putBroadcast(broadcast('ghost@example.com'))).rejects.toMatchObject({ code: '23503' });
  });

  it('needs COLLATE "C": the contract databases sort emails unlike JavaScript by default', async () => {
    const database = await createTestDatabase({ icuLocale: CONTRACT_LOCALE });
    cleanups.push(() => database.drop());
    const emails = ['a~z@example.com', 'ab@example.com', 'a.b@example.com', 'a-b@example.com', 'a+b@example.com', 'a{b@example.com'];
    const rows = await sql<{ sorted: string[] }>(database.url, 'SELECT array_agg(e ORDER BY e) AS sorted FROM unnest($1::text[]) AS e', [emails]);
    expect(rows[0]?.sorted).not.toEqual([...emails].sort());
  });

  it('reports an unreachable server as StoreUnavailableError at open, without the password', async () => {
    const port = await unusedLocalPort();
    const url = `postgres://relaylab:s3cret-pw@127.0.0.1:${port}/relaylab`;
    const opening = PostgresStore.open(url);
    await expect(opening).rejects.toBeInstanceOf(StoreUnavailableError);
    const error = (await opening.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('reports every operation as StoreUnavailableError while the server is down, and recovers when it is back', async () => {
    const { forwarder, url } = await databaseBehindForwarder();
    const connectionErrors: Error[] = [];
    const store = await openStore(url.toString(), { connectTimeoutMs: 2_000, onConnectionError: (e) => connectionErrors.push(e) });
    await store.insertIdentity(identity('alice@example.com'));
    await store.putBroadcast(broadcast('alice@example.com'));

    await forwarder.stop();
    const down: Array<() => Promise<unknown>> = [
      () => store.insertIdentity(identity('bob@example.com')),
      () => store.findIdentityByFingerprint('f'.repeat(64)),
      () => store.putBroadcast(broadcast('alice@example.com')),
      () => store.extendBroadcast('alice@example.com', T0_MS, T0_MS + 1),
      () => store.findLiveBroadcast('alice@example.com', T0_MS),
      () => store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'x@example.com', afterEmail: null, limit: 5 }),
      () => store.deleteExpiredBroadcasts(T0_MS),
      () => store.countLiveBroadcasts(T0_MS),
    ];
    for (const operation of down) {
      const error = await operation().then(
        () => new Error('expected the operation to fail while the server is down'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/^postgres store unavailable while trying to /);
      expect((error as Error).message).not.toContain(':relaylab@');
    }

    await forwarder.listen();
    expect(await store.countLiveBroadcasts(T0_MS)).toBe(1);
    expect(await store.insertIdentity(identity('bob@example.com'))).toBe('inserted');
  });

  it('gives up on a server that stops answering, within the configured timeouts', async () => {
    const { forwarder, url } = await databaseBehindForwarder();
    const store = await openStore(url.toString(), { poolSize: 1, connectTimeoutMs: 400, queryTimeoutMs: 400 });
    await store.countLiveBroadcasts(T0_MS);

    forwarder.freeze();
    const startedMs = Date.now();
    // The pooled connection is stuck: the query times out.
    await expect(store.countLiveBroadcasts(T0_MS)).rejects.toBeInstanceOf(StoreUnavailableError);
    // No connection left: a new one cannot be made in time.
    await expect(store.findLiveBroadcast('alice@example.com', T0_MS)).rejects.toThrow(/unavailable.*timeout/i);
    expect(Date.now() - startedMs).toBeLessThan(5_000);
  });

  it('sends two lookup statements at once when the pool has idle connections, and no more', async () => {
    const { forwarder, url } = await databaseBehindForwarder();
    const store = await openStore(url.toString(), { poolSize: 4, connectTimeoutMs: 500, queryTimeoutMs: 1_500 });
    await Promise.all([1, 2, 3, 4].map(() => store.countLiveBroadcasts(T0_MS))); // four idle connections
    forwarder.freeze();
    // 600 in one turn: three batches of at most 256. Two go out (pg-pool queues a checkout for a tick even
    // when an idle connection serves it, which must not read as a full pool); the third waits and expires.
    const answers = await Promise.allSettled(Array.from({ length: 600 }, (_, i) => store.findIdentityAndLiveBroadcast('f'.repeat(64), `u${i}@example.com`, T0_MS)));
    expect(store.lookupCounts).toMatchObject({ statements: 2, calls: 512, largest: 256, mostInFlight: 2 });
    const reasons = answers.map((a) => (a.status === 'rejected' ? String((a.reason as Error).message) : 'answered'));
    expect(reasons.slice(0, 512).every((r) => /^postgres store unavailable while trying to look up a broadcast for an identity: .*timeout/i.test(r))).toBe(true);
    expect(new Set(reasons.slice(512))).toEqual(new Set(['postgres store unavailable while trying to look up a broadcast for an identity: no statement could be sent within 500 ms (those out have not come back)']));
  });

  it('fails lookups still waiting to be batched at once when the store closes', async () => {
    const { forwarder, url } = await databaseBehindForwarder();
    const store = await PostgresStore.open(url.toString(), { poolSize: 1, connectTimeoutMs: 3_000, queryTimeoutMs: 1_000 });
    await store.countLiveBroadcasts(T0_MS);
    forwarder.freeze();
    const stuck = store.findIdentityAndLiveBroadcast('f'.repeat(64), 'a@example.com', T0_MS).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = store.findIdentityAndLiveBroadcast('f'.repeat(64), 'b@example.com', T0_MS).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedMs = Date.now();
    const closing = store.close();
    const reason = (await waiting) as Error;
    expect(Date.now() - startedMs).toBeLessThan(500); // not the 3 s wait limit, nor the stuck one's 1 s
    expect([reason instanceof StoreUnavailableError, reason.message]).toEqual([true, 'postgres store is closed (tried to look up a broadcast for an identity)']);
    expect(await stuck).toBeInstanceOf(StoreUnavailableError);
    await closing;
  });

  it('fails lookups waiting to be batched behind a stuck one within the connect timeout, not after it and the query timeout too', async () => {
    const { forwarder, url } = await databaseBehindForwarder();
    const store = await openStore(url.toString(), { poolSize: 1, connectTimeoutMs: 500, queryTimeoutMs: 3_000 });
    const alice = identity('alice@example.com');
    expect(await store.insertIdentity(alice)).toBe('inserted');
    forwarder.freeze();
    const stuck = store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, 'bob@example.com', T0_MS).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the stuck one is out: the next two wait for it
    const startedMs = Date.now();
    const waiting = await Promise.allSettled([1, 2].map(() => store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, 'bob@example.com', T0_MS)));
    const waitedMs = Date.now() - startedMs;
    expect(waiting.map((w) => (w.status === 'rejected' ? (w.reason as Error).message : 'answered'))).toEqual([
      'postgres store unavailable while trying to look up a broadcast for an identity: no statement could be sent within 500 ms (those out have not come back)',
      'postgres store unavailable while trying to look up a broadcast for an identity: no statement could be sent within 500 ms (those out have not come back)',
    ]);
    expect(waiting.every((w) => w.status === 'rejected' && w.reason instanceof StoreUnavailableError)).toBe(true);
    expect(waitedMs).toBeGreaterThanOrEqual(450);
    expect(waitedMs).toBeLessThan(1_800); // the query timeout (3 s) has not been waited for
    expect(await stuck).toBeInstanceOf(StoreUnavailableError); // and the stuck one times out by itself
  });

  it('survives the server terminating its connections (pg_terminate_backend), without crashing', async () => {
    const database = await freshDatabase();
    const connectionErrors: Error[] = [];
    const store: RelayStore = await openStore(database.url, { poolSize: 3, onConnectionError: (e) => connectionErrors.push(e) });
    // Hold several pooled connections open and idle.
    await Promise.all([0, 1, 2].map(() => store.countLiveBroadcasts(T0_MS)));

    const terminated = await sql<{ ok: boolean }>(
      adminDatabaseUrl(),
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database.name],
    );
    expect(terminated.length).toBeGreaterThan(0);
    // Every terminated idle connection reports its error; until all have, one may still sit dead in the pool.
    await expect.poll(() => connectionErrors.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(terminated.length);
    expect(connectionErrors[0]?.message).toMatch(/terminat/i);

    // The pool dropped the dead connections; the next calls get fresh ones.
    expect(await store.insertIdentity(identity('alice@example.com'))).toBe('inserted');
    expect(await store.countLiveBroadcasts(T0_MS)).toBe(0);
  });

  it('answers StoreUnavailableError after close instead of crashing', async () => {
    const database = await freshDatabase();
    const store = await PostgresStore.open(database.url);
    await store.close();
    await store.close();
    await expect(store.countLiveBroadcasts(T0_MS)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
