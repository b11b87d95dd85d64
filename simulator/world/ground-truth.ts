/**
 * What the simulator knows and the relay does not: who is really alive,
 * and at which addresses. Each relay answer is judged against that truth
 * (false expiries, stale answers, join-to-discoverable lag), peer events
 * are counted (re-ready recoveries, friends reported online while gone),
 * and departed peers get visibility probes at their TTL boundary.
 */
import type { FriendsEvent } from '../../reference/peer/core/friends-monitor.ts';
import type { LifecycleEvent } from '../../reference/peer/core/peer-lifecycle.ts';
import type { RelayResponse } from '../../reference/relay/core/types.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Measurements } from '../measure/measurements.ts';
import type { RelayCall } from './transport.ts';
import type { VirtualPeer } from './virtual-peer.ts';
import type { VirtualRelay } from './virtual-relay.ts';

export interface GroundTruthDeps {
  sim: Simulation;
  measurements: Measurements;
  relay: VirtualRelay;
  ttlMs: number;
  peerByIndex(index: number): VirtualPeer | undefined;
  /** When the peer's announced addresses last changed under it (renumbering). */
  addressesChangedAtMs(peer: VirtualPeer): number;
}

export class GroundTruth {
  private readonly probeKind: number;

  constructor(private readonly deps: GroundTruthDeps) {
    this.probeKind = deps.sim.defineEvent('visibility-probe', (index, offset) => this.probe(index, offset as number));
  }

  peerByEmail(email: string): VirtualPeer | null {
    const match = /^peer(\d+)@sim\.test$/.exec(email);
    return match === null ? null : (this.deps.peerByIndex(Number(match[1])) ?? null);
  }

  relayAnswered(call: RelayCall, response: RelayResponse): void {
    const { sim, measurements } = this.deps;
    const now = sim.clock.elapsedMs();
    const peer = call.peer;
    measurements.countRelayRequest(now);
    if ((call.kind === 'ready' || call.kind === 'heartbeat') && response.status === 200) {
      peer.lastRefreshAtMs = now;
      peer.lastRefreshEpoch = this.deps.relay.epoch;
      if (call.kind === 'ready' && Number.isNaN(peer.firstDiscoverableAtMs)) {
        peer.firstDiscoverableAtMs = now;
        measurements.joinToDiscoverableMs.add(now - peer.joinedAtMs);
      }
    }
    if (call.kind === 'lookup') this.judgeLookup(call, response, now);
  }

  lifecycleEvent(peer: VirtualPeer, event: LifecycleEvent): void {
    const c = this.deps.measurements.counters;
    if (event.type === 'ready') {
      // Any ready after the first that is not an address update means the broadcast was lost and won back.
      if (peer.readyCount > 0 && event.reason !== 'addresses_changed') c.reReadyRecoveries++;
      peer.readyCount++;
    } else if (event.type === 'fatal') {
      c.lifecycleFatal++;
    }
  }

  /** A friend reported online must be alive: a departed friend's cached address can only reach someone else. */
  friendsEvent(event: FriendsEvent): void {
    if (event.type !== 'status_changed') return;
    const c = this.deps.measurements.counters;
    c.friendStatusChanges++;
    if (event.to === 'online' && this.peerByEmail(event.email)?.alive === false) c.friendOnlineWhileDead++;
  }

  /** Starts the boundary probes for a peer that just left or crashed. */
  departed(peer: VirtualPeer): void {
    this.deps.sim.post(0, this.probeKind, peer.index, -1);
  }

  /** False expiries (a live, once-discoverable peer answered 404) and staleness (a 200 that is no longer true). */
  private judgeLookup(call: RelayCall, response: RelayResponse, now: number): void {
    const target = this.peerByEmail(call.request.query.get('email') ?? '');
    if (target === null) return;
    const { measurements } = this.deps;
    const c = measurements.counters;
    c.lookups++;
    if (response.status === 404 && target.alive && !Number.isNaN(target.firstDiscoverableAtMs)) c.falseExpiries++;
    if (response.status !== 200) return;
    c.lookupsFound++;
    if (!target.alive) {
      c.staleLookups++;
      measurements.stalenessMs.add(now - target.diedAtMs);
      return;
    }
    const announced = (response.body as { addresses?: string[] }).addresses ?? [];
    const current = target.currentAddresses;
    if (announced.length !== current.length || announced.some((a, i) => a !== current[i])) {
      c.staleLookups++;
      measurements.stalenessMs.add(now - this.deps.addressesChangedAtMs(target));
    }
  }

  /**
   * The visibility rule at its boundary: a departed peer must still be found
   * 1 ms before lastRefresh + TTL and must be gone at exactly that instant.
   * In-flight heartbeats can move the boundary, so the probe re-aims itself.
   */
  private async probe(index: number, offsetMs: number): Promise<void> {
    const { sim, relay, measurements } = this.deps;
    const peer = this.deps.peerByIndex(index) as VirtualPeer;
    if (Number.isNaN(peer.lastRefreshAtMs) || peer.lastRefreshEpoch !== relay.epoch || !relay.isUp) return;
    const boundary = peer.lastRefreshAtMs + this.deps.ttlMs;
    const aim = boundary + offsetMs;
    const now = sim.clock.elapsedMs();
    if (aim !== now) {
      if (aim > now) sim.scheduleAt(aim, this.probeKind, index, offsetMs);
      return;
    }
    const status = await relay.probeLookup(peer.identity.email);
    measurements.counters.visibilityProbes++;
    if (status !== (offsetMs < 0 ? 200 : 404)) measurements.counters.visibilityViolations++;
    if (offsetMs < 0) sim.scheduleAt(boundary, this.probeKind, index, 0);
  }
}
