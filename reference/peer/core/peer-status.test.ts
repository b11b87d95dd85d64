import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from './peer-lifecycle.ts';
import { initialPeerStatus, nextPeerStatus } from './peer-status.ts';

const fold = (events: LifecycleEvent[]) => events.reduce(nextPeerStatus, initialPeerStatus());

describe('peer status (RemoteHouse "me"), folded from lifecycle events', () => {
  it('registers, announces with the relay\'s expiry, and moves the expiry on each heartbeat', () => {
    const status = fold([
      { type: 'registered', atMs: 1_000, status: 200 },
      { type: 'ready', atMs: 2_000, reason: 'startup', port: 4242, addresses: ['192.168.1.5', '203.0.113.9'], expiresInS: 3600 },
      { type: 'heartbeat', atMs: 10_000, expiresInS: 3600 },
    ]);
    expect(status).toEqual({
      state: 'live',
      detail: 'listed at the relay',
      registeredAtMs: 1_000,
      announcedAtMs: 2_000,
      lastHeartbeatAtMs: 10_000,
      broadcastExpiresAtMs: 10_000 + 3_600_000,
      port: 4242,
      addresses: ['192.168.1.5', '203.0.113.9'],
    });
  });

  it('keeps the last known expiry when a relay sends no expires_in, and says what went wrong', () => {
    const live = fold([{ type: 'ready', atMs: 0, reason: 'startup', port: 1, addresses: ['10.0.0.1'], expiresInS: 60 }, { type: 'heartbeat', atMs: 5_000 }]);
    expect(live.broadcastExpiresAtMs).toBe(60_000);
    const trouble = nextPeerStatus(live, { type: 'relay_trouble', atMs: 6_000, step: 'heartbeat', message: 'connection refused', retryInMs: 30_000 });
    expect(trouble).toMatchObject({ state: 'relay_trouble', detail: 'relay trouble during heartbeat: connection refused; retrying in 30 s', broadcastExpiresAtMs: 60_000 });
    const expired = nextPeerStatus(trouble, { type: 'broadcast_expired', atMs: 7_000 });
    expect(expired).toMatchObject({ state: 'announcing', broadcastExpiresAtMs: null });
  });

  it('ends stopped after a goodbye (listed until expiry when the goodbye failed) or failed after a fatal answer', () => {
    const live = fold([{ type: 'ready', atMs: 0, reason: 'startup', port: 1, addresses: ['10.0.0.1'], expiresInS: 60 }]);
    expect(nextPeerStatus(live, { type: 'goodbye', atMs: 1, outcome: 'ended' })).toMatchObject({ state: 'stopped', broadcastExpiresAtMs: null });
    expect(nextPeerStatus(live, { type: 'goodbye', atMs: 1, outcome: 'failed', message: 'x' })).toMatchObject({ state: 'stopped', broadcastExpiresAtMs: 60_000 });
    expect(nextPeerStatus(live, { type: 'fatal', atMs: 1, code: 'email_held_by_another_identity', message: 'someone else holds it' })).toMatchObject({ state: 'failed', detail: 'gave up (email_held_by_another_identity): someone else holds it' });
  });
});
