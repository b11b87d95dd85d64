import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../reference/peer/core/peer-lifecycle.ts';
import type { RelayPort } from '../../reference/peer/core/ports.ts';
import type { Timers } from '../../reference/shared/timers.ts';
import type { GroundTruth } from './ground-truth.ts';
import { SimLifecycleHooks } from './lifecycle-hooks.ts';
import type { VirtualPeer } from './virtual-peer.ts';

describe('SimLifecycleHooks', () => {
  it('gives the core the scenario\'s intervals, the peer\'s own email, port, clock and addresses, and its events to the truth', () => {
    const clock = { nowMs: () => 7 };
    const peer = { identity: { email: 'peer3@sim.test' }, placement: { serverPort: 4433 }, clock, currentAddresses: ['192.168.1.10'] } as unknown as VirtualPeer;
    const told: Array<[VirtualPeer, LifecycleEvent]> = [];
    const timers = {} as Timers;
    const relay = {} as RelayPort;
    const truth = { lifecycleEvent: (p: VirtualPeer, e: LifecycleEvent) => told.push([p, e]) } as unknown as GroundTruth;
    const settings = { heartbeatIntervalMs: 1_800_000, addressCheckIntervalMs: 600_000, requestTimeoutMs: 10_000, retryDelayMs: 5_000 };
    const hooks = new SimLifecycleHooks(peer, relay, { settings, timers, truth });
    expect({ email: hooks.email, port: hooks.port, heartbeat: hooks.heartbeatIntervalMs, check: hooks.addressCheckIntervalMs, timeout: hooks.requestTimeoutMs, retry: hooks.retryDelayMs })
      .toEqual({ email: 'peer3@sim.test', port: 4433, heartbeat: 1_800_000, check: 600_000, timeout: 10_000, retry: 5_000 });
    expect(hooks.clock).toBe(clock);
    expect(hooks.timers).toBe(timers);
    expect(hooks.relay).toBe(relay);
    expect(hooks.addressSource()).toBe(peer.currentAddresses);
    const event = { type: 'registered', atMs: 7 } as unknown as LifecycleEvent;
    hooks.onEvent(event);
    expect(told).toEqual([[peer, event]]);
  });
});
