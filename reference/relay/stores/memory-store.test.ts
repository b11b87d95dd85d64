import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.ts';
import { describeRelayStoreContract } from './store-contract.ts';

describeRelayStoreContract('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

describe('MemoryStore.putBroadcast', () => {
  it('changes nothing when the record cannot be copied (a function among the capabilities): no torn record, no second list entry', async () => {
    const store = new MemoryStore();
    const t0 = Date.UTC(2026, 0, 1);
    const identity = { id: 'id-a', email: 'a@example.com', fingerprintSha256: 'f'.repeat(64), certificatePem: 'pem', registeredAtMs: t0, notBeforeMs: t0, notAfterMs: t0 + 1e9 };
    const good = { broadcastId: 'b1', email: 'a@example.com', port: 1000, addresses: ['10.0.0.1'], capabilities: { a: 1 }, lastSeenMs: t0, expiresAtMs: t0 + 60_000 };
    expect(await store.insertIdentity(identity)).toBe('inserted');
    await expect(store.putBroadcast({ ...good, broadcastId: 'b0', capabilities: { f: () => 1 } })).rejects.toThrow();
    expect(await store.findLiveBroadcast('a@example.com', t0)).toBeNull();
    await store.putBroadcast(good);
    await expect(store.putBroadcast({ ...good, broadcastId: 'b2', port: 2000, capabilities: { f: () => 2 } })).rejects.toThrow();
    expect(await store.findLiveBroadcast('a@example.com', t0)).toEqual(good);
    const listed = await store.listLiveBroadcasts({ nowMs: t0, excludeEmail: 'z@example.com', afterEmail: null, limit: 10 });
    expect(listed.map((b) => b.email)).toEqual(['a@example.com']);
  });
});

describe('MemoryStore ids', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const identity = (i: number, id: string) => ({ id, email: `p${i}@example.com`, fingerprintSha256: i.toString(16).padStart(64, '0'), certificatePem: 'pem', registeredAtMs: t0 + i, notBeforeMs: t0 - i, notAfterMs: t0 + 1e9 + i });

  it('reads every id back as it was given: canonical UUIDs (kept packed) across chunks, and any other text as is', async () => {
    const store = new MemoryStore();
    const uuid = (i: number) => {
      const h = (i * 2654435761 >>> 0).toString(16).padStart(8, '0');
      return `${h}-${h.slice(0, 4)}-4${h.slice(5, 8)}-a${h.slice(1, 4)}-${h.slice(4)}${(0xffffffff - i >>> 0).toString(16).padStart(8, '0')}`;
    };
    // Past one 4,096-slot chunk, with ids that are not canonical UUIDs in among them: upper case, too short, not hex, empty.
    const odd = ['ABCDEF01-2345-4678-89AB-CDEF01234567', 'ABCDEF01-2345-4678-89ab-cdef01234567', 'id-a', 'g0000000-0000-4000-8000-000000000000', '', '00000000-0000-0000-0000-000000000000-'];
    const records = Array.from({ length: 5000 }, (_, i) => identity(i, i % 1000 < odd.length ? (odd[i % 1000] as string) : uuid(i)));
    records.push(identity(5000, 'ffffffff-ffff-4fff-bfff-ffffffffffff'), identity(5001, '00000000-0000-4000-8000-000000000000'));
    for (const record of records) expect(await store.insertIdentity(record)).toBe('inserted');
    for (const record of records) {
      const found = await store.findIdentityByFingerprint(record.fingerprintSha256);
      expect(found).toEqual({ ...record, certificatePem: null });
    }
  });

  it('keeps a packed id apart from the times in its line: a broadcast, an expiry and a new window leave it as it was', async () => {
    const store = new MemoryStore();
    const record = identity(1, '0123abcd-ef01-4234-9567-89abcdef0123');
    await store.insertIdentity(record);
    await store.putBroadcast({ broadcastId: 'b1', email: record.email, port: 1, addresses: [], capabilities: null, lastSeenMs: t0, expiresAtMs: t0 + 60_000 });
    await store.extendBroadcast(record.email, t0 + 1, t0 + 120_000);
    await store.replaceCertificate(record.email, record.fingerprintSha256, { fingerprintSha256: 'e'.repeat(64), certificatePem: 'pem2', notBeforeMs: t0, notAfterMs: t0 + 2e9 });
    expect((await store.findIdentityByFingerprint('e'.repeat(64)))?.id).toBe(record.id);
    expect((await store.findLiveBroadcast(record.email, t0 + 2))?.expiresAtMs).toBe(t0 + 120_000);
  });
});
