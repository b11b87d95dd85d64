/**
 * What the World hands each peer's PeerLifecycle: its options and deps as
 * two small objects whose methods read the peer, in place of object
 * literals holding closures. The core calls them as methods
 * (`options.addressSource()`, `deps.onEvent?.(...)`), so it runs
 * unchanged; the saving is a closure and its context per callback, about
 * 100 bytes each, which a million peers would otherwise hold two of.
 */
import type { LifecycleEvent, PeerLifecycleDeps, PeerLifecycleOptions } from '../../reference/peer/core/peer-lifecycle.ts';
import type { RelayPort } from '../../reference/peer/core/ports.ts';
import type { Clock } from '../../reference/shared/clock.ts';
import type { Timers } from '../../reference/shared/timers.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { GroundTruth } from './ground-truth.ts';
import type { VirtualPeer } from './virtual-peer.ts';

type LifecycleSettings = Pick<Scenario, 'heartbeatIntervalMs' | 'addressCheckIntervalMs' | 'requestTimeoutMs' | 'retryDelayMs'>;

export class SimLifecycleOptions implements PeerLifecycleOptions {
  constructor(
    private readonly peer: VirtualPeer,
    private readonly settings: LifecycleSettings,
  ) {}

  get email(): string {
    return this.peer.identity.email;
  }

  get port(): number {
    return this.peer.placement.serverPort;
  }

  get heartbeatIntervalMs(): number {
    return this.settings.heartbeatIntervalMs;
  }

  get addressCheckIntervalMs(): number {
    return this.settings.addressCheckIntervalMs;
  }

  get requestTimeoutMs(): number {
    return this.settings.requestTimeoutMs;
  }

  get retryDelayMs(): number {
    return this.settings.retryDelayMs;
  }

  /** What the peer would announce now (the World keeps it current). */
  addressSource(): string[] {
    return this.peer.currentAddresses;
  }
}

export class SimLifecycleDeps implements PeerLifecycleDeps {
  constructor(
    private readonly peer: VirtualPeer,
    readonly timers: Timers,
    readonly relay: RelayPort,
    private readonly truth: GroundTruth,
  ) {}

  get clock(): Clock {
    return this.peer.clock;
  }

  onEvent(event: LifecycleEvent): void {
    this.truth.lifecycleEvent(this.peer, event);
  }
}
