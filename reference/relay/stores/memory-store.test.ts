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
