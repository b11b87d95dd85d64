/**
 * bench:sim --relay-core-time times RelayCore.handle over the run only:
 * stopping puts the original back, so what runs afterwards (the memory
 * floor's store rebuilt alone, the alone rounds) is neither counted nor
 * slowed by the wrapper.
 */
import { describe, expect, it } from 'vitest';
import { timeRelayCore } from '../../bench/relay-core-timer.ts';
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import { MemoryStore } from '../../reference/relay/stores/memory-store.ts';
import { RELAY_PATHS } from '../../reference/shared/relay-paths.ts';
import { SeededRng } from '../../reference/shared/rng.ts';
import { simCertificateInspector } from '../../simulator/world/sim-certificates.ts';

const HEALTH = { method: 'GET', path: RELAY_PATHS.health, query: new URLSearchParams(), bodyText: null, principal: null } as const;

describe('timeRelayCore', () => {
  it('counts the calls made while it runs, and only those: stopping restores the original handle', async () => {
    const original = RelayCore.prototype.handle;
    const core = new RelayCore({ clock: { nowMs: () => Date.UTC(2026, 0, 1) }, rng: new SeededRng(1), store: new MemoryStore(), certificates: simCertificateInspector, config: { ttlSeconds: 3600, testMode: false } });
    const stop = await timeRelayCore();
    try {
      expect(RelayCore.prototype.handle).not.toBe(original);
      expect((await core.handle(HEALTH)).status).toBe(200);
      expect((await core.handle(HEALTH)).status).toBe(200);
    } finally {
      const timing = stop();
      expect(timing.calls).toBe(2);
    }
    expect(RelayCore.prototype.handle).toBe(original);
    await core.handle(HEALTH);
    // A later read sees the same count: nothing after the stop is timed.
    expect(stop().calls).toBe(2);
  });
});
