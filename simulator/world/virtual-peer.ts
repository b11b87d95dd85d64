/** One simulated peer: its identity, where it sits, and what the measurements need to know about it. */
import type { Cancellable, RelayPort } from '../../reference/peer/core/ports.ts';
import type { FriendsMonitor } from '../../reference/peer/core/friends-monitor.ts';
import type { PeerLifecycle } from '../../reference/peer/core/peer-lifecycle.ts';
import type { Clock } from '../../reference/shared/clock.ts';
import type { EventRef } from '../engine/event-queue.ts';
import type { SimIdentity } from './sim-certificates.ts';
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
  nextLookup: EventRef | null;
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
  nextLookup: EventRef | null = null;
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
