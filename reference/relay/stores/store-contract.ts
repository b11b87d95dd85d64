import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BroadcastRecord, IdentityRecord, NewIdentityRecord, RelayStore } from '../core/types.ts';

/**
 * The RelayStore semantics every backend must meet. Each backend's test file
 * calls this with a factory that opens a fresh, empty store per test.
 */
export interface OpenedStore {
  store: RelayStore;
  cleanup(): Promise<void>;
}

const T0_MS = Date.UTC(2026, 0, 1);
const TTL_MS = 3_600_000;

function fingerprintFor(seed: string): string {
  // 64 lower-case hex characters, distinct per seed; the store treats it as opaque.
  let hex = '';
  for (const ch of seed) hex += ch.charCodeAt(0).toString(16).padStart(4, '0');
  return hex.padEnd(64, '0').slice(0, 64);
}

function identity(email: string, overrides: Partial<IdentityRecord> & { certificatePem?: string } = {}): NewIdentityRecord {
  return {
    id: `id-${email}`,
    email,
    fingerprintSha256: fingerprintFor(email),
    certificatePem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(email).toString('base64')}\n-----END CERTIFICATE-----\n`,
    registeredAtMs: T0_MS,
    notBeforeMs: T0_MS - 86_400_000,
    notAfterMs: T0_MS + 365 * 86_400_000,
    ...overrides,
  };
}

/**
 * The identity a store reads back: what was inserted, except that a store
 * may drop the PEM (null) once the validity window is known (see
 * IdentityRecord.certificatePem).
 */
function readBack(found: IdentityRecord | null, inserted: IdentityRecord): void {
  expect(found).not.toBeNull();
  const windowKnown = inserted.notBeforeMs !== null && inserted.notAfterMs !== null;
  const pem = found?.certificatePem;
  if (windowKnown && pem === null) expect(found).toEqual({ ...inserted, certificatePem: null });
  else expect(found).toEqual(inserted);
}

function broadcast(email: string, overrides: Partial<BroadcastRecord> = {}): BroadcastRecord {
  return {
    broadcastId: `b-${email}`,
    email,
    port: 54321,
    addresses: ['192.168.1.50', '203.0.113.7'],
    capabilities: null,
    lastSeenMs: T0_MS,
    expiresAtMs: T0_MS + TTL_MS,
    ...overrides,
  };
}

export function describeRelayStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`RelayStore contract: ${name}`, () => {
    let opened: OpenedStore | undefined;
    let store: RelayStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    /** A broadcast needs a registered identity behind it. */
    async function registerAndPut(record: BroadcastRecord): Promise<void> {
      expect(await store.insertIdentity(identity(record.email))).toBe('inserted');
      await store.putBroadcast(record);
    }

    it('describes itself and says whether it is durable', () => {
      expect(typeof store.description).toBe('string');
      expect(store.description.length).toBeGreaterThan(0);
      expect(typeof store.durable).toBe('boolean');
    });

    describe('identities (SPEC REG-5)', () => {
      it('inserts an identity and finds it by fingerprint', async () => {
        const alice = identity('alice@example.com', { registeredAtMs: T0_MS + 1234 });
        expect(await store.insertIdentity(alice)).toBe('inserted');
        readBack(await store.findIdentityByFingerprint(alice.fingerprintSha256), alice);
      });

      it('keeps the PEM of an identity inserted without a validity window: the core then reads the window from it (SPEC AUTH-6)', async () => {
        const legacy = identity('legacy@example.com', { notBeforeMs: null, notAfterMs: null });
        expect(await store.insertIdentity(legacy)).toBe('inserted');
        expect(await store.findIdentityByFingerprint(legacy.fingerprintSha256)).toEqual(legacy);
      });

      it('returns null for an unknown fingerprint', async () => {
        await store.insertIdentity(identity('alice@example.com'));
        expect(await store.findIdentityByFingerprint(fingerprintFor('nobody@example.com'))).toBeNull();
      });

      it('refuses a second certificate for a taken email with email_taken, keeping the first', async () => {
        const first = identity('alice@example.com');
        const second = identity('alice@example.com', { id: 'id-other', fingerprintSha256: fingerprintFor('other key') });
        await store.insertIdentity(first);
        expect(await store.insertIdentity(second)).toBe('email_taken');
        expect(await store.findIdentityByFingerprint(second.fingerprintSha256)).toBeNull();
        readBack(await store.findIdentityByFingerprint(first.fingerprintSha256), first);
      });

      it('refuses a taken certificate under another email with certificate_taken', async () => {
        const first = identity('alice@example.com');
        await store.insertIdentity(first);
        const reuse = identity('bob@example.com', { id: 'id-bob', fingerprintSha256: first.fingerprintSha256 });
        expect(await store.insertIdentity(reuse)).toBe('certificate_taken');
        readBack(await store.findIdentityByFingerprint(first.fingerprintSha256), first);
      });

      it('answers email_taken when the same certificate registers the same email again', async () => {
        const first = identity('alice@example.com');
        await store.insertIdentity(first);
        expect(await store.insertIdentity({ ...first, id: 'id-again' })).toBe('email_taken');
      });

      it('answers email_taken when the very same record is inserted twice', async () => {
        const first = identity('alice@example.com');
        await store.insertIdentity(first);
        expect(await store.insertIdentity({ ...first })).toBe('email_taken');
        readBack(await store.findIdentityByFingerprint(first.fingerprintSha256), first);
      });

      it('answers email_taken when the email and the certificate are taken by two different identities', async () => {
        const alice = identity('alice@example.com');
        const bob = identity('bob@example.com');
        await store.insertIdentity(alice);
        await store.insertIdentity(bob);
        const clash = identity('alice@example.com', { id: 'id-clash', fingerprintSha256: bob.fingerprintSha256 });
        expect(await store.insertIdentity(clash)).toBe('email_taken');
      });

      it('lets exactly one of several concurrent registrations of one email win', async () => {
        const attempts = Array.from({ length: 5 }, (_, i) =>
          identity('race@example.com', { id: `id-race-${i}`, fingerprintSha256: fingerprintFor(`race key ${i}`) }),
        );
        const outcomes = await Promise.all(attempts.map((record) => store.insertIdentity(record)));
        expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'email_taken')).toHaveLength(4);
      });

      it('keeps the validity window, and null for a row without one (SPEC AUTH-6)', async () => {
        const legacy = identity('legacy@example.com', { notBeforeMs: null, notAfterMs: null });
        await store.insertIdentity(legacy);
        readBack(await store.findIdentityByFingerprint(legacy.fingerprintSha256), legacy);
      });
    });

    describe('certificate renewal (SPEC EXT-1)', () => {
      const next = (seed: string) => ({
        fingerprintSha256: fingerprintFor(seed),
        certificatePem: `-----BEGIN CERTIFICATE-----\n${Buffer.from(seed).toString('base64')}\n-----END CERTIFICATE-----\n`,
        notBeforeMs: T0_MS,
        notAfterMs: T0_MS + 30 * 86_400_000,
      });

      it('replaces the certificate: the new one authenticates as the same identity, the old one no longer does, the broadcast stays', async () => {
        const alice = identity('alice@example.com');
        await store.insertIdentity(alice);
        await store.putBroadcast(broadcast('alice@example.com'));
        const renewed = next('alice new key');
        expect(await store.replaceCertificate(alice.email, alice.fingerprintSha256, renewed)).toBe('replaced');
        expect(await store.findIdentityByFingerprint(alice.fingerprintSha256)).toBeNull();
        readBack(await store.findIdentityByFingerprint(renewed.fingerprintSha256), { ...alice, ...renewed });
        expect(await store.findLiveBroadcast(alice.email, T0_MS)).toEqual(broadcast('alice@example.com'));
      });

      it("refuses a certificate another identity holds with certificate_taken, changing nothing", async () => {
        const alice = identity('alice@example.com');
        const bob = identity('bob@example.com');
        await store.insertIdentity(alice);
        await store.insertIdentity(bob);
        const clash = { ...next('x'), fingerprintSha256: bob.fingerprintSha256 };
        expect(await store.replaceCertificate(alice.email, alice.fingerprintSha256, clash)).toBe('certificate_taken');
        readBack(await store.findIdentityByFingerprint(alice.fingerprintSha256), alice);
        readBack(await store.findIdentityByFingerprint(bob.fingerprintSha256), bob);
      });

      it('answers stale when the identity no longer holds the certificate the caller named', async () => {
        const alice = identity('alice@example.com');
        await store.insertIdentity(alice);
        expect(await store.replaceCertificate(alice.email, fingerprintFor('not hers'), next('a'))).toBe('stale');
        expect(await store.replaceCertificate('nobody@example.com', alice.fingerprintSha256, next('b'))).toBe('stale');
        readBack(await store.findIdentityByFingerprint(alice.fingerprintSha256), alice);
      });

      it('lets exactly one of two concurrent renewals from one certificate win', async () => {
        const alice = identity('alice@example.com');
        await store.insertIdentity(alice);
        const outcomes = await Promise.all([next('one'), next('two')].map((n) => store.replaceCertificate(alice.email, alice.fingerprintSha256, n)));
        expect([...outcomes].sort()).toEqual(['replaced', 'stale']);
      });
    });

    describe('broadcasts (SPEC READY-4, READY-6, EXP-1)', () => {
      it('refuses, as a rejected promise, a broadcast for an email no identity holds, and stores nothing', async () => {
        const put = store.putBroadcast(broadcast('ghost@example.com'));
        await expect(put).rejects.toThrow();
        expect(await store.findLiveBroadcast('ghost@example.com', T0_MS)).toBeNull();
        expect(await store.countLiveBroadcasts(T0_MS)).toBe(0);
      });

      it('stores a broadcast and finds it while live', async () => {
        const record = broadcast('alice@example.com');
        await registerAndPut(record);
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS)).toEqual(record);
      });

      it('returns null for an email without a broadcast', async () => {
        await store.insertIdentity(identity('alice@example.com'));
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS)).toBeNull();
        expect(await store.findLiveBroadcast('nobody@example.com', T0_MS)).toBeNull();
      });

      it('replaces the earlier broadcast on a new ready: one per identity', async () => {
        await registerAndPut(broadcast('alice@example.com'));
        const replacement = broadcast('alice@example.com', {
          broadcastId: 'b-second',
          port: 60000,
          addresses: ['10.0.0.9'],
          capabilities: { files: true },
          lastSeenMs: T0_MS + 5_000,
          expiresAtMs: T0_MS + 5_000 + TTL_MS,
        });
        await store.putBroadcast(replacement);
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS + 5_000)).toEqual(replacement);
        expect(await store.countLiveBroadcasts(T0_MS + 5_000)).toBe(1);
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS + 5_000, excludeEmail: 'x@example.com', afterEmail: null, limit: 10 });
        expect(listed).toEqual([replacement]);
      });

      it('revives an expired broadcast when a new ready replaces it', async () => {
        await registerAndPut(broadcast('alice@example.com', { expiresAtMs: T0_MS + 10 }));
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS + 10)).toBeNull();
        const fresh = broadcast('alice@example.com', { broadcastId: 'b-fresh', lastSeenMs: T0_MS + 20, expiresAtMs: T0_MS + 20 + TTL_MS });
        await store.putBroadcast(fresh);
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS + 20)).toEqual(fresh);
      });

      it('keeps addresses in the order sent, duplicates included', async () => {
        const addresses = ['192.168.1.50', '10.0.0.2', 'fe80::1', '192.168.1.50', '203.0.113.7', '::1', '10.0.0.2'];
        await registerAndPut(broadcast('alice@example.com', { addresses }));
        const found = await store.findLiveBroadcast('alice@example.com', T0_MS);
        expect(found?.addresses).toEqual(addresses);
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'bob@example.com', afterEmail: null, limit: 10 });
        expect(listed[0]?.addresses).toEqual(addresses);
      });

      it('round-trips capabilities of any JSON shape, and null', async () => {
        const capabilities = {
          files: true,
          version: '1.2.3',
          maxUploadBytes: 1_073_741_824,
          ratio: 0.25,
          nested: { list: [1, 'two', null, { deep: false }], empty: {} },
          text: 'unicode ✓ 日本 \u0000 "quoted" \\ back',
          nothing: null,
        };
        await registerAndPut(broadcast('alice@example.com', { capabilities }));
        await registerAndPut(broadcast('bob@example.com', { capabilities: null }));
        expect((await store.findLiveBroadcast('alice@example.com', T0_MS))?.capabilities).toEqual(capabilities);
        expect((await store.findLiveBroadcast('bob@example.com', T0_MS))?.capabilities).toBeNull();
      });

      it('keeps its own copy: changing a record after put or after a read does not change the store', async () => {
        const record = broadcast('alice@example.com', { addresses: ['10.0.0.1', '10.0.0.2'], capabilities: { a: 1 } });
        await registerAndPut(record);
        record.addresses.push('10.0.0.3');
        (record.capabilities as Record<string, unknown>).a = 2;
        const read = await store.findLiveBroadcast('alice@example.com', T0_MS);
        expect(read?.addresses).toEqual(['10.0.0.1', '10.0.0.2']);
        expect(read?.capabilities).toEqual({ a: 1 });
        try {
          read?.addresses.reverse();
        } catch {
          // A store may hand out frozen records: refusing the change is as good as ignoring it.
        }
        expect((await store.findLiveBroadcast('alice@example.com', T0_MS))?.addresses).toEqual(['10.0.0.1', '10.0.0.2']);
      });

      it('is live up to the last millisecond before expiresAtMs and gone at expiresAtMs (SPEC EXP-1)', async () => {
        const expiresAtMs = T0_MS + TTL_MS;
        await registerAndPut(broadcast('alice@example.com', { expiresAtMs }));
        const list = (nowMs: number) => store.listLiveBroadcasts({ nowMs, excludeEmail: 'bob@example.com', afterEmail: null, limit: 10 });

        expect(await store.findLiveBroadcast('alice@example.com', expiresAtMs - 1)).not.toBeNull();
        expect(await list(expiresAtMs - 1)).toHaveLength(1);
        expect(await store.countLiveBroadcasts(expiresAtMs - 1)).toBe(1);

        expect(await store.findLiveBroadcast('alice@example.com', expiresAtMs)).toBeNull();
        expect(await list(expiresAtMs)).toEqual([]);
        expect(await store.countLiveBroadcasts(expiresAtMs)).toBe(0);
      });
    });

    describe('a lookup in one read (optional findIdentityAndLiveBroadcast)', () => {
      it('answers the identity holding the fingerprint with the email\'s live broadcast, as the two reads would', async (context) => {
        if (!store.findIdentityAndLiveBroadcast) return context.skip();
        const alice = identity('alice@example.com');
        await store.insertIdentity(alice);
        await registerAndPut(broadcast('bob@example.com', { capabilities: { files: true } }));
        const both = await store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, 'bob@example.com', T0_MS);
        readBack(both?.identity ?? null, alice);
        expect(both?.broadcast).toEqual(await store.findLiveBroadcast('bob@example.com', T0_MS));
        expect(both?.broadcast).toEqual(broadcast('bob@example.com', { capabilities: { files: true } }));
      });

      it('answers broadcast null for an email with none live (SPEC EXP-1: gone at expiresAtMs), and null for an unknown fingerprint', async (context) => {
        if (!store.findIdentityAndLiveBroadcast) return context.skip();
        const alice = identity('alice@example.com');
        await store.insertIdentity(alice);
        await registerAndPut(broadcast('bob@example.com'));
        expect((await store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, 'bob@example.com', T0_MS + TTL_MS - 1))?.broadcast).not.toBeNull();
        expect((await store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, 'bob@example.com', T0_MS + TTL_MS))?.broadcast).toBeNull();
        expect((await store.findIdentityAndLiveBroadcast(alice.fingerprintSha256, 'nobody@example.com', T0_MS))?.broadcast).toBeNull();
        expect(await store.findIdentityAndLiveBroadcast(fingerprintFor('nobody'), 'bob@example.com', T0_MS)).toBeNull();
      });
    });

    describe('ending a broadcast (SPEC EXT-2)', () => {
      it('ends a live broadcast at the given instant: gone for lookup, heartbeat and list from then on', async () => {
        await store.insertIdentity(identity('alice@example.com'));
        await store.insertIdentity(identity('bob@example.com'));
        await store.putBroadcast(broadcast('alice@example.com'));
        await store.putBroadcast(broadcast('bob@example.com'));
        expect(await store.endBroadcast('alice@example.com', T0_MS + 10)).toBe(true);
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS + 10)).toBeNull();
        expect(await store.extendBroadcast('alice@example.com', T0_MS + 10, T0_MS + TTL_MS)).toBeNull();
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS + 10, excludeEmail: 'nobody@example.com', afterEmail: null, limit: 10 });
        expect(listed.map((b) => b.email)).toEqual(['bob@example.com']);
        expect(await store.countLiveBroadcasts(T0_MS + 10)).toBe(1);
      });

      it('answers false for no broadcast or one already expired, and a new ready revives it', async () => {
        await store.insertIdentity(identity('alice@example.com'));
        expect(await store.endBroadcast('alice@example.com', T0_MS)).toBe(false);
        await store.putBroadcast(broadcast('alice@example.com'));
        expect(await store.endBroadcast('alice@example.com', T0_MS + TTL_MS)).toBe(false);
        expect(await store.endBroadcast('alice@example.com', T0_MS)).toBe(true);
        expect(await store.endBroadcast('alice@example.com', T0_MS)).toBe(false);
        await store.putBroadcast(broadcast('alice@example.com', { lastSeenMs: T0_MS + 5, expiresAtMs: T0_MS + 5 + TTL_MS }));
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS + 5)).not.toBeNull();
      });
    });

    describe('heartbeat extension (SPEC HB-1, HB-3)', () => {
      it('moves a live broadcast: lastSeen becomes now, expiry as given, the rest unchanged', async () => {
        const record = broadcast('alice@example.com', { capabilities: { files: true } });
        await registerAndPut(record);
        const nowMs = record.expiresAtMs - 1;
        const extended = await store.extendBroadcast('alice@example.com', nowMs, nowMs + TTL_MS);
        const expected = { ...record, lastSeenMs: nowMs, expiresAtMs: nowMs + TTL_MS };
        expect(extended).toEqual(expected);
        expect(await store.findLiveBroadcast('alice@example.com', record.expiresAtMs + 1000)).toEqual(expected);
      });

      it('does not move a broadcast at or after its expiry, even before cleanup deleted it', async () => {
        const record = broadcast('alice@example.com');
        await registerAndPut(record);
        expect(await store.extendBroadcast('alice@example.com', record.expiresAtMs, record.expiresAtMs + TTL_MS)).toBeNull();
        expect(await store.extendBroadcast('alice@example.com', record.expiresAtMs + 60_000, record.expiresAtMs + 60_000 + TTL_MS)).toBeNull();
        // Still there, unmoved, as seen from before its expiry.
        expect(await store.findLiveBroadcast('alice@example.com', T0_MS)).toEqual(record);
        expect(await store.findLiveBroadcast('alice@example.com', record.expiresAtMs)).toBeNull();
      });

      it('returns null for an email with no broadcast at all', async () => {
        await store.insertIdentity(identity('alice@example.com'));
        expect(await store.extendBroadcast('alice@example.com', T0_MS, T0_MS + TTL_MS)).toBeNull();
        expect(await store.extendBroadcast('nobody@example.com', T0_MS, T0_MS + TTL_MS)).toBeNull();
      });

      it('touches only the given email', async () => {
        const alice = broadcast('alice@example.com');
        const bob = broadcast('bob@example.com');
        await registerAndPut(alice);
        await registerAndPut(bob);
        await store.extendBroadcast('alice@example.com', T0_MS + 100, T0_MS + 100 + TTL_MS);
        expect(await store.findLiveBroadcast('bob@example.com', T0_MS)).toEqual(bob);
      });
    });

    describe('listing (SPEC LIST-*)', () => {
      // Punctuation and digits sort differently under locale collations
      // (which mostly ignore punctuation) than under JavaScript's default order.
      const emails = [
        'zed@example.com',
        'a~z@example.com',
        'ab@example.com',
        'a.b@example.com',
        'a_b@example.com',
        'a-b@example.com',
        'a+b@example.com',
        'a1@example.com',
        'a@example.com',
        'a{b@example.com',
        'b@example.com',
      ];
      const jsSorted = [...emails].sort();

      async function putAll(expiresAtMs = T0_MS + TTL_MS): Promise<void> {
        for (const email of emails) await registerAndPut(broadcast(email, { expiresAtMs }));
      }

      it("sorts by email in JavaScript's default string order", async () => {
        await putAll();
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'caller@example.com', afterEmail: null, limit: 100 });
        expect(listed.map((b) => b.email)).toEqual(jsSorted);
      });

      it("excludes the caller's own broadcast", async () => {
        await putAll();
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'ab@example.com', afterEmail: null, limit: 100 });
        expect(listed.map((b) => b.email)).toEqual(jsSorted.filter((e) => e !== 'ab@example.com'));
      });

      it('skips expired broadcasts that cleanup has not deleted', async () => {
        await putAll();
        await store.putBroadcast(broadcast('b@example.com', { expiresAtMs: T0_MS + 50 }));
        await store.putBroadcast(broadcast('a1@example.com', { expiresAtMs: T0_MS + 51 }));
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS + 50, excludeEmail: 'caller@example.com', afterEmail: null, limit: 100 });
        expect(listed.map((b) => b.email)).toEqual(jsSorted.filter((e) => e !== 'b@example.com'));
      });

      it('returns only emails strictly after the cursor, which need not be listed itself', async () => {
        await putAll();
        const afterListed = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'caller@example.com', afterEmail: 'ab@example.com', limit: 100 });
        expect(afterListed.map((b) => b.email)).toEqual(jsSorted.filter((e) => e > 'ab@example.com'));
        const afterAbsent = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'caller@example.com', afterEmail: 'aa@example.com', limit: 100 });
        expect(afterAbsent.map((b) => b.email)).toEqual(jsSorted.filter((e) => e > 'aa@example.com'));
      });

      it('honours the limit', async () => {
        await putAll();
        const listed = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'caller@example.com', afterEmail: null, limit: 3 });
        expect(listed.map((b) => b.email)).toEqual(jsSorted.slice(0, 3));
      });

      it('pages through every live broadcast exactly once with limit and cursor', async () => {
        await putAll();
        const seen: string[] = [];
        let afterEmail: string | null = null;
        for (let page = 0; page < 20; page++) {
          const listed = await store.listLiveBroadcasts({ nowMs: T0_MS, excludeEmail: 'a.b@example.com', afterEmail, limit: 4 });
          expect(listed.length).toBeLessThanOrEqual(4);
          seen.push(...listed.map((b) => b.email));
          if (listed.length < 4) break;
          afterEmail = listed[listed.length - 1]!.email;
        }
        expect(seen).toEqual(jsSorted.filter((e) => e !== 'a.b@example.com'));
      });
    });

    describe('cleanup and counting', () => {
      it('deletes exactly the expired broadcasts, counts them, and leaves live ones', async () => {
        await registerAndPut(broadcast('a@example.com', { expiresAtMs: T0_MS + 100 }));
        await registerAndPut(broadcast('b@example.com', { expiresAtMs: T0_MS + 200 }));
        await registerAndPut(broadcast('c@example.com', { expiresAtMs: T0_MS + 201 }));
        await registerAndPut(broadcast('d@example.com', { expiresAtMs: T0_MS + 5000 }));

        expect(await store.deleteExpiredBroadcasts(T0_MS + 99)).toBe(0);
        // Expired at exactly expiresAtMs (SPEC EXP-1): a and b go, c and d stay.
        expect(await store.deleteExpiredBroadcasts(T0_MS + 200)).toBe(2);
        expect(await store.deleteExpiredBroadcasts(T0_MS + 200)).toBe(0);
        expect(await store.countLiveBroadcasts(T0_MS + 200)).toBe(2);
        expect(await store.findLiveBroadcast('c@example.com', T0_MS + 200)).not.toBeNull();
        // Deleted ones are gone even when asked about an earlier time.
        expect(await store.findLiveBroadcast('a@example.com', T0_MS)).toBeNull();
        expect(await store.extendBroadcast('b@example.com', T0_MS, T0_MS + TTL_MS)).toBeNull();
        // Identities stay: cleanup is about broadcasts only.
        expect(await store.findIdentityByFingerprint(fingerprintFor('a@example.com'))).not.toBeNull();
      });

      it('counts live broadcasts at the given time', async () => {
        expect(await store.countLiveBroadcasts(T0_MS)).toBe(0);
        await registerAndPut(broadcast('a@example.com', { expiresAtMs: T0_MS + 100 }));
        await registerAndPut(broadcast('b@example.com', { expiresAtMs: T0_MS + 200 }));
        await registerAndPut(broadcast('c@example.com', { expiresAtMs: T0_MS + 300 }));
        expect(await store.countLiveBroadcasts(T0_MS)).toBe(3);
        expect(await store.countLiveBroadcasts(T0_MS + 100)).toBe(2);
        expect(await store.countLiveBroadcasts(T0_MS + 299)).toBe(1);
        expect(await store.countLiveBroadcasts(T0_MS + 300)).toBe(0);
      });
    });
  });
}
