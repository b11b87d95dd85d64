/**
 * When the relay listed each peer, from the relay's own state rather than
 * from lookups (which see a listing only when someone happens to ask):
 *
 * - listed_after_departure_ms: per departed peer, how long the relay kept
 *   its broadcast after it left, and the same split into crashes
 *   (listed_after_crash_ms) and graceful leaves (listed_after_leave_ms).
 *   Read from the store at departure (the record's expiry less the relay's
 *   now). A crash, and a leave without goodbye, cancel the lifecycle's relay
 *   call in flight, so nothing refreshes it after that. A leave with goodbye
 *   (SPEC EXT-2, where the relay offers it) first lets a ready in flight
 *   land, and the relay may accept it after the departure: the listing then
 *   runs to that ready's expiry. The goodbye ends the listing when the relay
 *   accepts it. A memory-store relay that goes down first ends it there.
 * - expiry gaps: each window in which a live, once-listed peer was not
 *   listed: from the end of its listing (last accepted ready or heartbeat
 *   + TTL, as the core sets expiresAtMs; or a memory store lost with the
 *   relay) until a ready or heartbeat is accepted again, it departs, or the
 *   run ends. Heartbeats are accepted only while the broadcast is live
 *   (the core's extendBroadcast), so a gap ends at a ready.
 */
import { round3 } from '../measure/distribution.ts';
import type { Measurements } from '../measure/measurements.ts';
import type { VirtualPeer } from './virtual-peer.ts';
import type { VirtualRelay } from './virtual-relay.ts';

export interface ListingTruthDeps {
  measurements: Measurements;
  relay: VirtualRelay;
  ttlMs: number;
}

export class ListingTruth {
  /** By relay epoch: when a memory-store relay went down with that epoch's broadcasts (a durable store keeps them). */
  private readonly storeLostAtMs: number[] = [];

  constructor(private readonly deps: ListingTruthDeps) {}

  relayWentDown(nowMs: number): void {
    const { relay } = this.deps;
    if (relay.storeKind === 'memory') this.storeLostAtMs[relay.epoch] = nowMs;
  }

  /** A ready or heartbeat of a live peer was accepted at `nowMs` (before lastRefreshAtMs moves): closes a gap. */
  refreshed(peer: VirtualPeer, nowMs: number): void {
    this.closeGap(peer, nowMs, 're-listed');
    peer.gapLookups = 0;
  }

  /** A lookup found a live, once-listed peer missing: it falls into the gap in progress. */
  falseExpiry(peer: VirtualPeer): void {
    peer.gapLookups++;
  }

  /** The peer left or crashed now: an open gap ends; how long it stays listed is read from the relay's store. */
  async departed(peer: VirtualPeer, nowMs: number): Promise<void> {
    this.closeGap(peer, nowMs, 'departed');
    if (Number.isNaN(peer.firstDiscoverableAtMs)) return; // never listed: nothing to stay listed
    peer.listedUntilMs = nowMs + (await this.deps.relay.remainingListingMs(peer.identity.email));
    peer.listedEpoch = this.deps.relay.epoch;
  }

  /**
   * The relay accepted a departed peer's ready at `nowMs` (its leave waited for it): listed until
   * that ready's expiry, which is never earlier than what was read at the departure.
   */
  refreshedAfterDeparture(peer: VirtualPeer, nowMs: number): void {
    peer.listedUntilMs = nowMs + this.deps.ttlMs;
    peer.listedEpoch = this.deps.relay.epoch;
  }

  /** The relay accepted a departed peer's goodbye at `nowMs` and ended its live broadcast then. */
  goodbyeAccepted(peer: VirtualPeer, nowMs: number): void {
    if (!Number.isNaN(peer.listedUntilMs)) peer.listedUntilMs = Math.min(peer.listedUntilMs, nowMs);
  }

  /**
   * At the end of the run: gaps still open count up to `endMs`; each departed
   * peer's listing ends at its record's expiry (no refresh can come) or when
   * a memory store was lost, even if that is after the run's end.
   */
  finish(peers: ReadonlyArray<VirtualPeer | undefined>, endMs: number): void {
    for (const peer of peers) {
      if (peer === undefined) continue;
      if (peer.alive) this.closeGap(peer, endMs, 'run_end');
      else if (!Number.isNaN(peer.listedUntilMs)) this.addListedAfterDeparture(peer);
    }
  }

  private addListedAfterDeparture(peer: VirtualPeer): void {
    const { measurements } = this.deps;
    const listedMs = Math.max(0, this.cutByStoreLoss(peer.listedUntilMs, peer.listedEpoch) - peer.diedAtMs);
    measurements.listedAfterDepartureMs.add(listedMs);
    (peer.departedGracefully ? measurements.listedAfterLeaveMs : measurements.listedAfterCrashMs).add(listedMs);
  }

  /** When the relay stops listing a live peer unless it refreshes: its expiry, or the loss of its epoch's store. */
  listingEndMs(peer: VirtualPeer): number {
    return this.cutByStoreLoss(peer.lastRefreshAtMs + this.deps.ttlMs, peer.lastRefreshEpoch);
  }

  private cutByStoreLoss(untilMs: number, epoch: number): number {
    const lostAt = this.storeLostAtMs[epoch];
    return lostAt === undefined ? untilMs : Math.min(untilMs, lostAt);
  }

  /** Each gap is closed once: by a re-listing (which moves lastRefreshAtMs on), a departure, or the end of the run. */
  private closeGap(peer: VirtualPeer, nowMs: number, ended: 're-listed' | 'departed' | 'run_end'): void {
    if (Number.isNaN(peer.lastRefreshAtMs)) return; // not listed yet: joining is not a gap
    const expiry = peer.lastRefreshAtMs + this.deps.ttlMs;
    const from = this.listingEndMs(peer);
    if (!(from < nowMs)) return;
    this.deps.measurements.recordExpiryGap({
      peer: peer.identity.email,
      from_ms: round3(from),
      to_ms: round3(nowMs),
      length_ms: round3(nowMs - from),
      cause: from < expiry ? 'relay_store_lost' : 'expired',
      ended,
      lookups: peer.gapLookups,
    });
  }
}
