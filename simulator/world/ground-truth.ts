/**
 * What the simulator knows and the relay does not: who is really alive,
 * and at which addresses. Each relay answer is judged against that truth
 * (false expiries, stale answers, join-to-discoverable lag), lifecycle
 * events are counted (re-ready recoveries, failures), the relay's listing
 * of each peer is followed (ListingTruth: gaps, listed after departure),
 * and departed peers get visibility probes at their TTL boundary (a peer
 * whose goodbye the relay accepted must be gone at both). The friends
 * monitor has its own oracle (FriendsTruth).
 */
import type { LifecycleEvent } from '../../reference/peer/core/peer-lifecycle.ts';
import type { RelayResponse } from '../../reference/relay/core/types.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Measurements } from '../measure/measurements.ts';
import { ListingTruth } from './listing-truth.ts';
import { simPeerIndex } from './sim-certificates.ts';
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
  /** What a live peer should be announcing now (see announcement-truth.ts). */
  announcementOf(peer: VirtualPeer): string[];
}

export class GroundTruth {
  private readonly probeKind: number;
  readonly listing: ListingTruth;
  /** Whether the relay offers observed-address, so readies may carry an address the peer does not have. */
  private readonly observes: boolean;

  constructor(private readonly deps: GroundTruthDeps) {
    this.probeKind = deps.sim.defineEvent('visibility-probe', (index, offset) => this.probe(index, offset as number));
    this.listing = new ListingTruth(deps);
    this.observes = deps.relay.extensions.includes('observed-address');
  }

  peerByEmail(email: string): VirtualPeer | null {
    const index = simPeerIndex(email);
    return index === null ? null : (this.deps.peerByIndex(index) ?? null);
  }

  relayAnswered(call: RelayCall, response: RelayResponse): void {
    const { sim, measurements } = this.deps;
    const now = sim.clock.elapsedMs();
    // The call holds the peer as it was sent; a departed peer may since have been retired into its
    // DepartedPeer, which is the one the World keeps and the probes read: write to that one.
    const peer = this.deps.peerByIndex(call.peer.index) ?? call.peer;
    measurements.countRelayRequest(now);
    if ((call.kind === 'ready' || call.kind === 'heartbeat') && response.status === 200) {
      if (peer.alive) this.refreshedLive(peer, call.kind, now);
      else this.refreshedAfterDeparture(peer, now);
    }
    if (call.kind === 'lookup') this.judgeLookup(call, response, now);
    if (call.kind === 'goodbye' && response.status === 200 && (response.body as { was_live?: unknown } | null)?.was_live === true) {
      measurements.counters.goodbyesAccepted++;
      peer.goodbyeAtMs = now;
      this.listing.goodbyeAccepted(peer, now);
    }
  }

  private refreshedLive(peer: VirtualPeer, kind: 'ready' | 'heartbeat', now: number): void {
    this.listing.refreshed(peer, now);
    peer.lastRefreshAtMs = now;
    peer.lastRefreshEpoch = this.deps.relay.epoch;
    if (kind === 'ready' && Number.isNaN(peer.firstDiscoverableAtMs)) {
      peer.firstDiscoverableAtMs = now;
      this.deps.measurements.joinToDiscoverableMs.add(now - peer.joinedAtMs);
    }
  }

  /**
   * A leave that comes while a ready is in flight waits for it before the goodbye (the reference
   * lifecycle's leave(), SPEC EXT-2), so the relay may accept a ready after the departure. It lists
   * the peer again: the boundary probes aim at the new refresh (a chain still waiting re-aims; an
   * ended one starts again) and the listing after departure runs to it (until the goodbye ends it).
   * A departed peer has no gap to close and is not counted as having become discoverable.
   */
  private refreshedAfterDeparture(peer: VirtualPeer, now: number): void {
    const beforeMs = peer.lastRefreshAtMs;
    peer.lastRefreshAtMs = now;
    peer.lastRefreshEpoch = this.deps.relay.epoch;
    this.listing.refreshedAfterDeparture(peer, now);
    // A probe chain re-aims while its boundary lies ahead; one that never started (no refresh at the
    // departure) or whose boundary has passed has ended: start one for the new boundary.
    if (Number.isNaN(beforeMs) || beforeMs + this.deps.ttlMs < now) this.deps.sim.post(0, this.probeKind, peer.index, -1);
  }

  lifecycleEvent(peer: VirtualPeer, event: LifecycleEvent): void {
    const c = this.deps.measurements.counters;
    if (event.type === 'ready') {
      // Any ready after the first that is not an address update means the broadcast was lost and won back.
      if (peer.readyCount > 0 && event.reason !== 'addresses_changed') c.reReadyRecoveries++;
      peer.readyCount++;
      // An address the peer does not have itself is the relay's observed one (SPEC EXT-3), or, rarely, one a renumbering took while this ready was in flight.
      if (this.observes && event.addresses.some((a) => !peer.currentAddresses.includes(a))) c.readiesWithObservedAddress++;
    } else if (event.type === 'fatal') {
      c.lifecycleFatal++;
      this.deps.measurements.invariantExamples.add('lifecycle_failures', { t_ms: this.deps.sim.clock.elapsedMs(), peer: peer.identity.email, code: event.code, message: event.message });
    }
  }

  /** Starts the boundary probes for a peer that just left or crashed, and reads how long the relay will list it. */
  departed(peer: VirtualPeer): Promise<void> {
    this.deps.sim.post(0, this.probeKind, peer.index, -1);
    return this.listing.departed(peer, this.deps.sim.clock.elapsedMs());
  }

  /** False expiries (a live, once-discoverable peer answered 404) and staleness (a 200 that is no longer true). */
  private judgeLookup(call: RelayCall, response: RelayResponse, now: number): void {
    const target = this.peerByEmail(call.lookupEmail ?? call.request.query.get('email') ?? '');
    if (target === null) return;
    const { measurements } = this.deps;
    const c = measurements.counters;
    c.lookups++;
    if (response.status === 404 && target.alive && !Number.isNaN(target.firstDiscoverableAtMs)) this.falseExpiry(call, target, now);
    if (response.status !== 200) return;
    c.lookupsFound++;
    if (!target.alive) {
      c.staleLookups++;
      measurements.stalenessMs.add(now - target.diedAtMs);
      return;
    }
    const announced = (response.body as { addresses?: string[] }).addresses ?? [];
    const current = this.deps.announcementOf(target);
    if (!sameAddresses(announced, current)) {
      c.staleLookups++;
      measurements.stalenessMs.add(now - this.deps.addressesChangedAtMs(target));
    }
  }

  private falseExpiry(call: RelayCall, target: VirtualPeer, now: number): void {
    this.deps.measurements.counters.falseExpiries++;
    this.listing.falseExpiry(target);
    this.deps.measurements.invariantExamples.add('false_expiries', {
      t_ms: now,
      caller: call.peer.identity.email,
      target: target.identity.email,
      status: 404,
      target_last_refresh_ms: target.lastRefreshAtMs,
      target_listing_ended_ms: this.listing.listingEndMs(target),
    });
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
    // A goodbye the relay accepted ended the listing then (SPEC EXT-2): gone at both probes.
    const expected = offsetMs < 0 && !(peer.goodbyeAtMs <= now) ? 200 : 404;
    if (status !== expected) {
      measurements.counters.visibilityViolations++;
      measurements.invariantExamples.add('visibility_violations', { t_ms: now, peer: peer.identity.email, last_refresh_ms: peer.lastRefreshAtMs, probe_offset_ms: offsetMs, expected, got: status });
    }
    if (offsetMs < 0) sim.scheduleAt(boundary, this.probeKind, index, 0);
  }
}

/** Element-wise equality, as a plain loop (judged on every lookup answered 200). */
function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
