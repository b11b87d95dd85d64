/** One simulated peer: its identity, where it sits, and what the measurements need to know about it. */
import type { Cancellable, RelayPort } from '../../reference/peer/core/ports.ts';
import type { FriendsMonitor } from '../../reference/peer/core/friends-monitor.ts';
import type { PeerLifecycle } from '../../reference/peer/core/peer-lifecycle.ts';
import type { Clock } from '../../reference/shared/clock.ts';
import type { EventRef } from '../engine/event-queue.ts';
import type { SimIdentity } from './sim-certificates.ts';
import type { Placement } from './topology-builder.ts';
import type { RelayConnections } from './relay-connections.ts';

export interface VirtualPeer {
  index: number;
  identity: SimIdentity;
  placement: Placement;
  /** This peer's wall clock (the simulation's plus its skew). */
  clock: Clock;
  alive: boolean;
  joinedAtMs: number;
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
