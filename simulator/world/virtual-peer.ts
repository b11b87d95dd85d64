/** One simulated peer: its identity, where it sits, and what the measurements need to know about it. */
import type { Cancellable, RelayPort } from '../../reference/peer/core/ports.ts';
import type { FriendsMonitor } from '../../reference/peer/core/friends-monitor.ts';
import type { PeerLifecycle } from '../../reference/peer/core/peer-lifecycle.ts';
import type { Clock } from '../../reference/shared/clock.ts';
import { simIdentity, type SimIdentity } from './sim-certificates.ts';
import type { Placement } from './topology-builder.ts';
import type { RelayConnections } from './relay-connections.ts';
import { ADDRESSES_SINCE, DIED, FIRST_DISCOVERABLE, GOODBYE, JOINED, LAST_REFRESH, LISTED_UNTIL, type PeerTimes } from './peer-times.ts';

export interface VirtualPeer {
  readonly index: number;
  identity: SimIdentity;
  readonly placement: Placement;
  /** This peer's wall clock (the simulation's plus its skew). */
  clock: Clock;
  alive: boolean;
  readonly joinedAtMs: number;
  diedAtMs: number;
  /** Once departed: whether it left gracefully (its lifecycle's leave(), saying goodbye where offered) or crashed. */
  departedGracefully: boolean;
  /** When the relay accepted its goodbye and ended its live broadcast (SPEC EXT-2), elapsed ms; NaN if it never did. */
  goodbyeAtMs: number;
  lifecycle: PeerLifecycle | null;
  friends: FriendsMonitor | null;
  /** When the relay first answered this peer's ready with 200 (elapsed ms), NaN before. */
  firstDiscoverableAtMs: number;
  /** When the relay last accepted a ready or heartbeat from it, and in which relay epoch. */
  lastRefreshAtMs: number;
  lastRefreshEpoch: number;
  readyCount: number;
  /** Lookups answered 404 since its last accepted refresh: the false expiries inside a gap in progress. */
  gapLookups: number;
  /** Once departed: when the relay's record of it expires (elapsed ms) and in which relay epoch; NaN if never listed. */
  listedUntilMs: number;
  listedEpoch: number;
  /** Addresses it would announce now, and since when (for address staleness). */
  currentAddresses: string[];
  addressesSinceMs: number;
  /** Its next lookup event as the queue's (slot, seq), two plain numbers rather than an EventRef object; slot -1 when none. */
  nextLookupSlot: number;
  nextLookupSeq: number;
  /** Its look-up-and-connect interactions in flight, so a departure can abandon them; null when none. */
  inFlight: Cancellable[] | null;
  /** Made on first use by the Transport. */
  relayPort?: RelayPort;
  /** Its relay connections as its NAT sees them: made by the Transport under the shared-port hypothesis only. */
  relayConnections?: RelayConnections;
  /** Its place in the World's list of live peers (swap-remove on departure); -1 once departed. */
  alivePosition: number;
}

/**
 * The World's peers. The seven times live in the World's PeerTimes (one
 * 64-byte line per peer, no boxed doubles); every other field is a plain
 * one. Departed peers stay for good, so what a peer costs is paid for
 * every peer that ever joined.
 */
export class SimPeer implements VirtualPeer {
  alive = true;
  departedGracefully = false;
  lifecycle: PeerLifecycle | null = null;
  friends: FriendsMonitor | null = null;
  lastRefreshEpoch = -1;
  readyCount = 0;
  gapLookups = 0;
  listedEpoch = -1;
  currentAddresses: string[] = [];
  nextLookupSlot = -1;
  nextLookupSeq = -1;
  inFlight: Cancellable[] | null = null;
  relayPort?: RelayPort = undefined;
  relayConnections?: RelayConnections = undefined;
  alivePosition = -1;

  constructor(
    private readonly times: PeerTimes,
    readonly index: number,
    readonly identity: SimIdentity,
    readonly placement: Placement,
    readonly clock: Clock,
    joinedAtMs: number,
  ) {
    times.add(index);
    times.set(index, JOINED, joinedAtMs);
    times.set(index, ADDRESSES_SINCE, joinedAtMs);
  }

  get joinedAtMs(): number { return this.times.get(this.index, JOINED); }
  get diedAtMs(): number { return this.times.get(this.index, DIED); }
  set diedAtMs(valueMs: number) { this.times.set(this.index, DIED, valueMs); }
  get goodbyeAtMs(): number { return this.times.get(this.index, GOODBYE); }
  set goodbyeAtMs(valueMs: number) { this.times.set(this.index, GOODBYE, valueMs); }
  get firstDiscoverableAtMs(): number { return this.times.get(this.index, FIRST_DISCOVERABLE); }
  set firstDiscoverableAtMs(valueMs: number) { this.times.set(this.index, FIRST_DISCOVERABLE, valueMs); }
  get lastRefreshAtMs(): number { return this.times.get(this.index, LAST_REFRESH); }
  set lastRefreshAtMs(valueMs: number) { this.times.set(this.index, LAST_REFRESH, valueMs); }
  get listedUntilMs(): number { return this.times.get(this.index, LISTED_UNTIL); }
  set listedUntilMs(valueMs: number) { this.times.set(this.index, LISTED_UNTIL, valueMs); }
  get addressesSinceMs(): number { return this.times.get(this.index, ADDRESSES_SINCE); }
  set addressesSinceMs(valueMs: number) { this.times.set(this.index, ADDRESSES_SINCE, valueMs); }
}

/** What a departed peer announces: nothing (shared, frozen: no departed peer may hold a list of its own). */
export const NO_ADDRESSES: string[] = Object.freeze([]) as unknown as string[];

/**
 * A departed peer, as the World keeps it once its departure is settled
 * (the relay read how long it stays listed): a quarter of a SimPeer. The
 * departed stay looked up for good (that is how staleness shows), so at a
 * million peers for a day these are most of the peers there are. What is
 * still read of it: its times (the same PeerTimes line the live peer
 * wrote, so a goodbye or a ready answered after the swap still lands), the counters
 * copied here, its class, and its email, which is made again from its
 * index when asked. What only a live peer has reads as nothing, and
 * writing it throws: a live-only write to a departed peer is a bug.
 */
export class DepartedPeer implements VirtualPeer {
  readonly departedGracefully: boolean;
  lastRefreshEpoch: number;
  readyCount: number;
  gapLookups: number;
  listedEpoch: number;

  constructor(
    private readonly times: PeerTimes,
    readonly index: number,
    /** Shared by every departed peer of its class: only classIndex is read. */
    readonly placement: Placement,
    peer: VirtualPeer,
  ) {
    if (peer.alive || peer.index !== index || peer.placement.classIndex !== placement.classIndex) throw new Error(`peer ${peer.index} cannot be retired as departed peer ${index} of class ${placement.classIndex}`);
    this.departedGracefully = peer.departedGracefully;
    this.lastRefreshEpoch = peer.lastRefreshEpoch;
    this.readyCount = peer.readyCount;
    this.gapLookups = peer.gapLookups;
    this.listedEpoch = peer.listedEpoch;
  }

  get identity(): SimIdentity { return simIdentity(this.index); }
  get clock(): Clock { throw new Error(`departed peer ${this.index} has no clock`); }
  get alive(): boolean { return false; }
  get lifecycle(): null { return null; }
  get friends(): null { return null; }
  get currentAddresses(): string[] { return NO_ADDRESSES; }
  get nextLookupSlot(): number { return -1; }
  get nextLookupSeq(): number { return -1; }
  get inFlight(): null { return null; }
  get relayPort(): undefined { return undefined; }
  get relayConnections(): undefined { return undefined; }
  get alivePosition(): number { return -1; }

  get joinedAtMs(): number { return this.times.get(this.index, JOINED); }
  get diedAtMs(): number { return this.times.get(this.index, DIED); }
  get goodbyeAtMs(): number { return this.times.get(this.index, GOODBYE); }
  set goodbyeAtMs(valueMs: number) { this.times.set(this.index, GOODBYE, valueMs); }
  get firstDiscoverableAtMs(): number { return this.times.get(this.index, FIRST_DISCOVERABLE); }
  get lastRefreshAtMs(): number { return this.times.get(this.index, LAST_REFRESH); }
  /** A ready the relay accepted after the departure (a leave waits for the one in flight before its goodbye). */
  set lastRefreshAtMs(valueMs: number) { this.times.set(this.index, LAST_REFRESH, valueMs); }
  get listedUntilMs(): number { return this.times.get(this.index, LISTED_UNTIL); }
  set listedUntilMs(valueMs: number) { this.times.set(this.index, LISTED_UNTIL, valueMs); }
  get addressesSinceMs(): number { return this.times.get(this.index, ADDRESSES_SINCE); }
}
