/**
 * A whole simulated deployment: the virtual Internet, one reference relay,
 * and peers running the reference peer core, driven by the scenario's
 * arrivals, churn, lookups, outages and faults. Measurements are taken as
 * the run goes; results() summarises them.
 */
import { orderAddresses } from '../../reference/peer/core/address-order.ts';
import { FriendsMonitor } from '../../reference/peer/core/friends-monitor.ts';
import { PeerLifecycle } from '../../reference/peer/core/peer-lifecycle.ts';
import { nextFloat, nextInt, type Rng } from '../../reference/shared/rng.ts';
import { Simulation } from '../engine/simulation.ts';
import { SkewedClock } from '../engine/virtual-clock.ts';
import { Measurements } from '../measure/measurements.ts';
import { INTERNET_REALM, Network } from '../net/network.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { ConnectRunner } from './connect-runner.ts';
import { simIdentity } from './sim-certificates.ts';
import { TopologyBuilder } from './topology-builder.ts';
import { FriendsTruth } from './friends-truth.ts';
import { GroundTruth } from './ground-truth.ts';
import { expectedAnnouncement } from './announcement-truth.ts';
import { SimLifecycleHooks, type SharedHooks } from './lifecycle-hooks.ts';
import { Transport } from './transport.ts';
import { DepartedPeer, NO_ADDRESSES, SimPeer, type VirtualPeer } from './virtual-peer.ts';
import type { Placement } from './topology-builder.ts';
import { PeerTimes } from './peer-times.ts';
import { VirtualRelay } from './virtual-relay.ts';

const RELAY_IPV4 = '203.0.113.10';
const RELAY_IPV6 = '2001:db8:ffff::1';
/** A relay sits in a data centre: a short, clean link. */
const RELAY_LINK = { latencyMs: 5, jitterMs: 1, lossRatio: 0 };
const CLEANUP_INTERVAL_MS = 300_000;
const TIMELINE_BUCKETS = 120;
const HOUR_MS = 3_600_000;

type ChurnKind = 'join' | 'leave' | 'crash' | 'address-change';
const CHURN_KINDS: readonly ChurnKind[] = ['join', 'leave', 'crash', 'address-change'];

export class World {
  readonly sim: Simulation;
  readonly net: Network;
  readonly measurements: Measurements;
  /** By peer index; a slot stays undefined until that peer joins (kept packed: no holes). */
  readonly peers: Array<VirtualPeer | undefined> = [];
  private readonly peerTimes = new PeerTimes();
  private readonly relay: VirtualRelay;
  private readonly transport: Transport;
  private readonly truth: GroundTruth;
  private readonly friendsTruth: FriendsTruth;
  private readonly topology: TopologyBuilder;
  private readonly connects: ConnectRunner;
  private readonly alive: VirtualPeer[] = [];
  /** Host id -> index of the peer whose Peer Server runs there (every peer gets a host of its own); -1 once it left. */
  private readonly serverByHost: number[] = [];
  private readonly routerRenumberedAtMs = new Map<number, number>();
  private readonly rng: { traffic: Rng; churn: Rng; skew: Rng };
  private readonly kinds: Record<'join' | 'lookup' | 'churn' | 'cleanup' | 'sample' | 'outage' | 'restart', number>;
  /** The relay's health `extensions`, told to every peer's lifecycle as the reference peer learns them at start-up. */
  private readonly offered: readonly string[];
  private readonly sharedHooks: SharedHooks;

  constructor(readonly scenario: Scenario) {
    this.sim = new Simulation(scenario.seed);
    const streams = this.sim.rngs;
    this.net = new Network({ lanLatencyMs: scenario.lanLatencyMs, unreachable: scenario.unreachable, firewallTimeoutMs: 2 * HOUR_MS }, streams.stream('net.link'), streams.stream('net.ports'));
    this.net.addHost({ realm: INTERNET_REALM, ipv4: RELAY_IPV4, ipv6: RELAY_IPV6, ipv6Firewall: false, link: RELAY_LINK });
    this.rng = { traffic: streams.stream('traffic'), churn: streams.stream('churn'), skew: streams.stream('skew') };
    this.measurements = new Measurements(scenario.topology.length, Math.max(1000, Math.ceil(scenario.durationMs / TIMELINE_BUCKETS)));
    const relayClock = new SkewedClock(this.sim.clock, scenario.relayClockSkewMs);
    this.relay = new VirtualRelay(relayClock, streams.stream('relay'), scenario.ttlSeconds, scenario.relayStore, scenario.relayExtensions);
    this.offered = this.relay.advertisedExtensions();
    const observes = scenario.relayExtensions.includes('observed-address');
    this.transport = new Transport(this.sim, this.net, () => this.relay, streams.stream('faults'), {
      relayIpv4: RELAY_IPV4,
      relayIpv6: RELAY_IPV6,
      relayTrafficFrom: scenario.relayTrafficFrom,
      heartbeatLossRatio: scenario.heartbeatLossRatio,
      heartbeatBlackouts: scenario.heartbeatBlackouts,
      fillRemoteAddress: observes,
    }, {
      relayAnswered: (call, response) => this.truth.relayAnswered(call, response),
      heartbeatDropped: () => void this.measurements.counters.heartbeatsDropped++,
      serverAt: (host, port) => this.serverAt(host, port),
    });
    this.truth = new GroundTruth({
      sim: this.sim,
      measurements: this.measurements,
      relay: this.relay,
      ttlMs: scenario.ttlSeconds * 1000,
      peerByIndex: (index) => this.peers[index],
      addressesChangedAtMs: (peer) => this.addressesChangedAtMs(peer),
      announcementOf: (peer) => expectedAnnouncement(this.net, peer, observes),
    });
    this.friendsTruth = new FriendsTruth({ sim: this.sim, measurements: this.measurements, transport: this.transport, peerByEmail: (email) => this.truth.peerByEmail(email) });
    this.sharedHooks = { settings: scenario, timers: this.sim.timers, truth: this.truth };
    this.topology = new TopologyBuilder(this.net, scenario, streams.stream('topology'));
    this.connects = new ConnectRunner(this.sim.clock, this.sim.timers, this.transport, this.measurements, scenario);
    this.kinds = {
      join: this.sim.defineEvent('peer-join', (index, classIndex) => this.join(index, classIndex as number)),
      lookup: this.sim.defineEvent('lookup', (index) => this.lookup(index)),
      churn: this.sim.defineEvent('churn', (_t, kind) => this.churn(kind as ChurnKind)),
      cleanup: this.sim.defineEvent('relay-cleanup', () => this.cleanup()),
      sample: this.sim.defineEvent('sample', () => this.sample()),
      outage: this.sim.defineEvent('relay-outage', () => this.outage()),
      restart: this.sim.defineEvent('relay-restart', () => this.relay.restart()),
    };
  }

  async run(onProgress?: (elapsedMs: number) => void): Promise<void> {
    await this.relay.registerProbe();
    this.scheduleStart();
    await this.sim.run(this.scenario.durationMs, onProgress);
    this.finishTruth(this.scenario.durationMs);
  }

  /** How many peers are live now. */
  get livePeerCount(): number {
    return this.alive.length;
  }

  /** How many identities the relay's store holds now (bench:sim's memory floor measures a store of that size). */
  get relayIdentities(): number {
    return this.relay.identitiesHeld;
  }

  /** Ends the open listing intervals at `elapsedMs`: the run's end, or where a stopped run stopped. */
  finishTruth(elapsedMs: number): void {
    this.truth.listing.finish(this.peers, elapsedMs);
  }

  private scheduleStart(): void {
    const s = this.scenario;
    const classes = this.topology.initialClasses(s.peers);
    classes.forEach((classIndex, index) => this.sim.post(nextFloat(this.rng.churn) * s.joinSpreadMs, this.kinds.join, index, classIndex));
    this.nextPeerIndex = classes.length;
    for (let i = this.peers.length; i < classes.length; i++) this.peers.push(undefined);
    for (const kind of CHURN_KINDS) this.scheduleChurn(kind);
    this.sim.post(CLEANUP_INTERVAL_MS, this.kinds.cleanup, -1);
    this.sim.post(this.measurements.bucketMs, this.kinds.sample, -1);
    for (const outage of s.relayOutages) {
      this.sim.scheduleAt(outage.atMs, this.kinds.outage, -1);
      this.sim.scheduleAt(outage.atMs + outage.durationMs, this.kinds.restart, -1);
    }
  }

  private nextPeerIndex = 0;

  private join(index: number, classIndex: number): void {
    const s = this.scenario;
    const placement = this.topology.place(classIndex);
    const skewMs = s.peerClockSkewMs === 0 ? 0 : Math.round((2 * nextFloat(this.rng.skew) - 1) * s.peerClockSkewMs);
    const nowMs = this.sim.clock.elapsedMs();
    const peer = new SimPeer(this.peerTimes, index, simIdentity(index), placement, skewMs === 0 ? this.sim.clock : new SkewedClock(this.sim.clock, skewMs), nowMs);
    if (index === this.peers.length) this.peers.push(peer);
    else this.peers[index] = peer;
    peer.currentAddresses = this.addressesOf(peer);
    if (placement.router !== null) {
      const list = this.peersByRouter[placement.router.id];
      if (list === undefined) this.peersByRouter[placement.router.id] = [peer];
      else list.push(peer);
    }
    peer.alivePosition = this.alive.length;
    this.alive.push(peer);
    this.serverByHost[placement.host] = index;
    this.measurements.counters.peersJoined++;
    const relayPort = this.transport.relayPortFor(peer);
    const hooks = new SimLifecycleHooks(peer, relayPort, this.sharedHooks);
    peer.lifecycle = new PeerLifecycle(hooks, hooks);
    // Before start, though the reference peer learns them from a health call made as it starts (not simulated: see README).
    if (this.offered.length > 0) peer.lifecycle.relayOffers(this.offered);
    peer.lifecycle.start();
    if (s.friendsPerPeer > 0 && this.alive.length > 1) {
      const friends = Array.from({ length: s.friendsPerPeer }, () => ({ email: this.randomOtherPeer(peer).identity.email, lastGood: null }));
      peer.friends = new FriendsMonitor({ friends, healthIntervalMs: s.healthIntervalMs, attemptTimeoutMs: s.attemptTimeoutMs, strategy: s.strategy }, { clock: peer.clock, timers: this.sim.timers, dialer: this.friendsTruth.dialerFor(peer), relay: relayPort, onEvent: (event) => this.friendsTruth.statusChanged(peer, event) });
      peer.friends.start();
    }
    this.scheduleLookup(peer);
  }

  private readonly peersByRouter: Array<VirtualPeer[] | undefined> = [];
  private lanPeers(routerId: number): VirtualPeer[] {
    return this.peersByRouter[routerId] ?? [];
  }

  /**
   * Only live neighbours are renumbered, so a departed peer leaves its LAN's list (in order: the rest keep
   * theirs) and an emptied list is dropped: a million-peer day would otherwise keep a list per departed home.
   */
  private leaveLan(peer: VirtualPeer): void {
    const router = peer.placement.router;
    const list = router === null ? undefined : this.peersByRouter[router.id];
    if (router === null || list === undefined) return;
    const at = list.indexOf(peer);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.peersByRouter[router.id] = undefined;
  }

  /**
   * What the peer would announce now: its interfaces, plus the public
   * address its traffic leaves from. Cached in peer.currentAddresses and
   * recomputed when a renumbering touches it (a fresh array each time, so
   * the lifecycle sees a change by comparison, as with real interfaces).
   */
  addressesOf(peer: VirtualPeer): string[] {
    const host = peer.placement.host;
    const ipv4 = this.net.hostIpv4(host);
    const interfaces = [ipv4, this.net.hostIpv6(host)].filter((a): a is string => a !== null).map((address) => ({ address }));
    const outside = this.scenario.announcePublicAddress ? this.net.publicIpv4Of(host) : null;
    return orderAddresses(interfaces, outside !== null && outside !== ipv4 ? [outside] : []);
  }

  private scheduleLookup(peer: VirtualPeer): void {
    const perHour = this.scenario.lookupsPerPeerPerHour;
    if (perHour <= 0) return;
    const slot = this.sim.post(exponentialMs(this.rng.traffic, perHour / HOUR_MS), this.kinds.lookup, peer.index);
    peer.nextLookupSlot = slot;
    peer.nextLookupSeq = this.sim.queue.seqAt(slot);
  }

  private lookup(index: number): void {
    const caller = this.peers[index];
    if (caller === undefined || !caller.alive) return;
    this.scheduleLookup(caller);
    if (this.peers.length < 2) return;
    // Any peer ever seen, alive or not: looking up the departed is how staleness shows.
    const target = this.peers[nextInt(this.rng.traffic, this.peers.length)];
    if (target === undefined || target === caller) return;
    // Keep in-flight interactions only, so a departing caller can abandon them.
    const inFlight = (caller.inFlight ??= []);
    const handle = this.connects.lookupAndConnect(caller, target, () => {
      const at = inFlight.indexOf(handle);
      if (at >= 0) inFlight.splice(at, 1);
      if (inFlight.length === 0 && caller.inFlight === inFlight) caller.inFlight = null;
    });
    inFlight.push(handle);
  }

  private randomOtherPeer(peer: VirtualPeer): VirtualPeer {
    for (;;) {
      const other = this.alive[nextInt(this.rng.churn, this.alive.length)] as VirtualPeer;
      if (other !== peer) return other;
    }
  }

  private serverAt(host: number, port: number): VirtualPeer | null {
    const index = this.serverByHost[host];
    const peer = index === undefined || index < 0 ? undefined : this.peers[index];
    return peer !== undefined && peer.alive && peer.placement.serverPort === port ? peer : null;
  }

  private addressesChangedAtMs(peer: VirtualPeer): number {
    const router = peer.placement.router;
    const routerAt = router === null ? Number.NEGATIVE_INFINITY : this.routerRenumberedAtMs.get(router.id) ?? Number.NEGATIVE_INFINITY;
    return Math.max(routerAt, peer.addressesSinceMs);
  }

  private scheduleChurn(kind: ChurnKind): void {
    const c = this.scenario.churn;
    const fraction = { join: c.joinsPerHour, leave: c.leavesPerHour, crash: c.crashesPerHour, 'address-change': c.addressChangesPerHour }[kind];
    if (fraction <= 0) return;
    this.sim.post(exponentialMs(this.rng.churn, (fraction * this.scenario.peers) / HOUR_MS), this.kinds.churn, -1, kind);
  }

  private churn(kind: ChurnKind): void | Promise<void> {
    this.scheduleChurn(kind);
    if (kind === 'join') {
      this.join(this.nextPeerIndex++, this.topology.randomClass());
      return;
    }
    if (this.alive.length === 0) return;
    const peer = this.alive[nextInt(this.rng.churn, this.alive.length)] as VirtualPeer;
    if (kind === 'address-change') this.changeAddress(peer);
    else return this.depart(peer, kind === 'leave');
  }

  /**
   * Awaited by the run loop: reading how long the relay still lists the peer is a store call.
   * A graceful leave runs the lifecycle's leave(), which sends a goodbye where the relay offers
   * it (SPEC EXT-2); the host is detached when the leave is done. A crash stops it and detaches at once.
   */
  private depart(peer: VirtualPeer, graceful: boolean): Promise<void> {
    const now = this.sim.clock.elapsedMs();
    peer.alive = false;
    peer.diedAtMs = now;
    peer.departedGracefully = graceful;
    const host = peer.placement.host;
    // The reference peer exits once its leave is done (goodbye answered or timed out), so its host stays
    // on the network until then: a goodbye that waits for a ready in flight is still routed (SPEC EXT-2).
    if (graceful && peer.lifecycle !== null) {
      peer.lifecycle.leave(() => this.net.detachHost(host));
    } else {
      peer.lifecycle?.stop();
      this.net.detachHost(host);
    }
    peer.friends?.stop();
    // Departed peers stay in `peers` for good (lookups of the departed measure staleness): drop what only a
    // live peer uses, so churn does not keep a stopped lifecycle, monitor and relay port per departure.
    peer.lifecycle = null;
    peer.friends = null;
    peer.relayPort = undefined;
    if (peer.nextLookupSlot >= 0) this.sim.queue.cancelAt(peer.nextLookupSlot, peer.nextLookupSeq);
    peer.nextLookupSlot = -1;
    peer.currentAddresses = NO_ADDRESSES;
    for (const handle of peer.inFlight ?? []) handle.cancel();
    peer.inFlight = null;
    this.serverByHost[host] = -1;
    this.leaveLan(peer);
    if (graceful && peer.placement.upnpForwardPort !== null) peer.placement.router?.removePortForward(peer.placement.upnpForwardPort);
    const position = peer.alivePosition;
    const last = this.alive.pop() as VirtualPeer;
    if (last !== peer) {
      this.alive[position] = last;
      last.alivePosition = position;
    }
    peer.alivePosition = -1;
    if (graceful) this.measurements.counters.peersLeft++;
    else this.measurements.counters.peersCrashed++;
    return this.truth.departed(peer).then(() => this.retire(peer));
  }

  /** Per class, the one placement every departed peer of it shares (DepartedPeer reads only its class). */
  private readonly departedPlacements: Placement[] = [];

  /**
   * Once the relay has said how long it still lists the peer, the World keeps the departed peer's
   * quarter-size form. In-flight work (its goodbye) still holds the old object; its times are shared.
   */
  private retire(peer: VirtualPeer): void {
    const classIndex = peer.placement.classIndex;
    const placement = (this.departedPlacements[classIndex] ??= Object.freeze({ classIndex, host: -1, router: null, serverPort: -1, upnpForwardPort: null }));
    this.peers[peer.index] = new DepartedPeer(this.peerTimes, peer.index, placement, peer);
  }

  /** DHCP renumbering: the router's outside address, or a public host's own, changes. */
  private changeAddress(peer: VirtualPeer): void {
    const now = this.sim.clock.elapsedMs();
    const router = peer.placement.router;
    if (router !== null && router.outerRealm === INTERNET_REALM) {
      this.net.renumberNat(router, this.topology.nextPublicAddress());
      this.routerRenumberedAtMs.set(router.id, now);
      for (const neighbour of this.lanPeers(router.id)) if (neighbour.alive) neighbour.currentAddresses = this.addressesOf(neighbour);
    } else if (router === null && this.net.hasIpv4(peer.placement.host)) {
      this.net.setHostIpv4(peer.placement.host, this.topology.nextPublicAddress());
      peer.addressesSinceMs = now;
      peer.currentAddresses = this.addressesOf(peer);
    } else {
      return; // IPv6-only and CGNAT homes: the carrier, not DHCP, owns the outside address
    }
    this.measurements.counters.addressChanges++;
  }

  private async cleanup(): Promise<void> {
    this.sim.post(CLEANUP_INTERVAL_MS, this.kinds.cleanup, -1);
    if (this.relay.isUp) await this.relay.cleanup();
  }

  private async sample(): Promise<void> {
    this.sim.post(this.measurements.bucketMs, this.kinds.sample, -1);
    this.measurements.liveBroadcastsPerBucket.push(this.relay.isUp ? await this.relay.countLive() : 0);
  }

  private outage(): void {
    this.truth.listing.relayWentDown(this.sim.clock.elapsedMs());
    this.relay.goDown();
    this.measurements.counters.relayOutages++;
  }

  /** Live peers now (for tests and progress lines). */
  get alivePeerCount(): number {
    return this.alive.length;
  }
}

/** Poisson process gap: exponential with `ratePerMs`. */
function exponentialMs(rng: Rng, ratePerMs: number): number {
  return -Math.log(1 - nextFloat(rng)) / ratePerMs;
}
