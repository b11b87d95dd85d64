/**
 * The virtual Internet: realms (address spaces), hosts, NAT boxes.
 *
 * Realm 0 is the public Internet (public IPv4 and all IPv6). Every LAN is
 * its own realm with private IPv4 addresses that may repeat from one LAN to
 * the next; a carrier's CGNAT space is a realm too. A realm reaches its
 * parent only through its uplink NAT box, and a parent reaches into a realm
 * only through that box's mappings and port forwards.
 *
 * route() answers, deterministically for a given random stream, what a
 * connection attempt from a host to (address, port) comes to: delivered to
 * which host (on an overlapping LAN, maybe not the one the caller meant),
 * dropped silently, or rejected fast, and after how long one way.
 */
import { parseIPv4, parseIPv6 } from '../../reference/shared/ip.ts';
import type { Rng } from '../../reference/shared/rng.ts';
import { crossLink, type LinkProfile } from './link.ts';
import type { NatBehaviour } from './nat-behaviour.ts';
import { NatBox, type Endpoint, type TcpConnections } from './nat-box.ts';
import { SmallMap } from './small-collections.ts';
import { PagedIntMap } from './paged-int-map.ts';

export const INTERNET_REALM = 0;
const MAX_HOPS = 8;

export type UnreachableMode = 'drop' | 'reject';

export type BlockReason =
  | 'lost' // a link lost it: always silent
  | 'no-route' // nobody has that address where it was sent
  | 'no-mapping' // a NAT had no mapping or forward for that port
  | 'filtered' // a NAT's filter refused the source (RFC 4787 section 5)
  | 'hairpin-off' // RFC 4787 REQ-9 not implemented by this NAT
  | 'firewall' // an IPv6 stateful firewall refused unsolicited inbound
  | 'no-ipv4' // the caller has no IPv4 at all: fails at once
  | 'no-ipv6' // the caller has no IPv6 at all: fails at once
  | 'nat-ports-exhausted'
  | 'bad-address';

export type RouteResult =
  | Delivered
  | { outcome: 'dropped'; reason: BlockReason }
  | { outcome: 'rejected'; reason: BlockReason; oneWayMs: number };

/**
 * A delivered connection. The source address the far side saw is formatted
 * only when asked (most callers never look, and routing is the hot path).
 */
export class Delivered {
  readonly outcome = 'delivered' as const;
  constructor(
    readonly host: number,
    readonly port: number,
    readonly oneWayMs: number,
    /** An IPv4 number, or an IPv6 key (already text). */
    private readonly seen: number | string,
    readonly seenPort: number,
    readonly natsCrossed: number,
  ) {}

  get seenAddress(): string {
    return typeof this.seen === 'number' ? formatV4(this.seen) : this.seen;
  }
}

export interface HostSpec {
  realm: number;
  ipv4: string | null;
  ipv6: string | null;
  /** A stateful IPv6 firewall (RFC 6092 style): unsolicited inbound blocked unless pinholed. */
  ipv6Firewall: boolean;
  link: LinkProfile;
}

export interface NetworkOptions {
  lanLatencyMs: number;
  unreachable: UnreachableMode;
  /** How long an IPv6 firewall remembers that a host talked to a remote. */
  firewallTimeoutMs: number;
}

interface HostState {
  realm: number;
  ipv4: number | null;
  ipv6: string | null;
  ipv6Firewall: boolean;
  link: LinkProfile;
  attached: boolean;
}

interface RealmState {
  uplink: NatBox | null;
  /**
   * IPv4 address -> entity (host h as 2h, NAT n as 2n + 1) in this realm,
   * keyed by the address as an int32 (`address | 0`, one-to-one) so keys
   * stay small integers: most realms are LANs holding one or two entries
   * (a SmallMap); the Internet holds every public host and NAT (paged).
   */
  v4: SmallMap<number, number> | PagedIntMap;
}

export class Network {
  private readonly realms: RealmState[] = [{ uplink: null, v4: new PagedIntMap() }];
  private readonly hosts: HostState[] = [];
  private readonly nats: NatBox[] = [];
  /** IPv6 keys are the eight hex groups, uncompressed ("2001:db8:0:0:0:0:0:a"): valid IPv6 text as they stand. */
  private readonly v6Table = new Map<string, number>();
  /** Open pinholes as host * 65536 + port (a number: no string built per dial to a firewalled host). */
  private readonly pinholes = new Set<number>();
  private readonly firewallState = new Map<string, number>();

  constructor(
    readonly options: NetworkOptions,
    private readonly linkRng: Rng,
    private readonly portRng: Rng,
  ) {}

  createRealm(): number {
    this.realms.push(newRealm());
    return this.realms.length - 1;
  }

  /** A NAT box joining `innerRealm` to `outerRealm`, at `externalAddress` in the outer one. */
  addNat(innerRealm: number, outerRealm: number, externalAddress: string, behaviour: NatBehaviour): NatBox {
    const realm = this.realmState(innerRealm);
    if (realm.uplink !== null) throw new Error(`realm ${innerRealm} already has an uplink NAT`);
    const nat = new NatBox(this.nats.length, innerRealm, outerRealm, requireV4(externalAddress), behaviour, this.portRng);
    this.claimV4(outerRealm, nat.externalAddress, 2 * nat.id + 1);
    this.nats.push(nat);
    realm.uplink = nat;
    return nat;
  }

  addHost(spec: HostSpec): number {
    this.realmState(spec.realm);
    const id = this.hosts.length;
    const state: HostState = { realm: spec.realm, ipv4: null, ipv6: null, ipv6Firewall: spec.ipv6Firewall, link: spec.link, attached: true };
    this.hosts.push(state);
    if (spec.ipv4 !== null) this.setHostIpv4(id, spec.ipv4);
    if (spec.ipv6 !== null) this.setHostIpv6(id, spec.ipv6);
    return id;
  }

  /** Renumbering (DHCP): the old address stops answering at once. */
  setHostIpv4(host: number, address: string | null): void {
    const state = this.hostState(host);
    if (state.ipv4 !== null) this.releaseV4(state.realm, state.ipv4, 2 * host);
    state.ipv4 = address === null ? null : requireV4(address);
    if (state.ipv4 !== null && state.attached) this.claimV4(state.realm, state.ipv4, 2 * host);
  }

  setHostIpv6(host: number, address: string | null): void {
    const state = this.hostState(host);
    if (state.ipv6 !== null && this.v6Table.get(state.ipv6) === host) this.v6Table.delete(state.ipv6);
    state.ipv6 = address === null ? null : requireV6(address);
    if (state.ipv6 !== null && state.attached) {
      if (this.v6Table.has(state.ipv6)) throw new Error(`IPv6 address ${address} is already in use`);
      this.v6Table.set(state.ipv6, host);
    }
  }

  /** A host leaving the network (crash, shutdown): its addresses stop answering. */
  detachHost(host: number): void {
    const state = this.hostState(host);
    if (!state.attached) return;
    if (state.ipv4 !== null) this.releaseV4(state.realm, state.ipv4, 2 * host);
    if (state.ipv6 !== null && this.v6Table.get(state.ipv6) === host) this.v6Table.delete(state.ipv6);
    state.attached = false;
  }

  attachHost(host: number): void {
    const state = this.hostState(host);
    if (state.attached) return;
    state.attached = true;
    if (state.ipv4 !== null) this.claimV4(state.realm, state.ipv4, 2 * host);
    if (state.ipv6 !== null) this.setHostIpv6(host, state.ipv6);
  }

  /** The uplink NAT changes its outside address: every mapping through it is gone. */
  renumberNat(nat: NatBox, newExternalAddress: string): void {
    this.releaseV4(nat.outerRealm, nat.externalAddress, 2 * nat.id + 1);
    nat.renumber(requireV4(newExternalAddress));
    this.claimV4(nat.outerRealm, nat.externalAddress, 2 * nat.id + 1);
  }

  /** Opens the host's IPv6 firewall for one port (the Peer Server's). */
  addIpv6Pinhole(host: number, port: number): void {
    this.pinholes.add(host * 65536 + port);
  }

  uplinkOf(realm: number): NatBox | null {
    return this.realmState(realm).uplink;
  }

  /** Whether the host has an IPv4 address (hostIpv4() !== null without formatting it). */
  hasIpv4(host: number): boolean {
    return this.hostState(host).ipv4 !== null;
  }

  hostIpv4(host: number): string | null {
    const v4 = this.hostState(host).ipv4;
    return v4 === null ? null : formatV4(v4);
  }

  hostIpv6(host: number): string | null {
    return this.hostState(host).ipv6;
  }

  hostRealm(host: number): number {
    return this.hostState(host).realm;
  }

  /** The IPv4 address the public Internet sees for this host's traffic (the outermost NAT's), or null. */
  publicIpv4Of(host: number): string | null {
    const state = this.hostState(host);
    if (state.ipv4 === null) return null;
    let realm = state.realm;
    let address = state.ipv4;
    for (let hop = 0; realm !== INTERNET_REALM && hop < MAX_HOPS; hop++) {
      const uplink = this.realmState(realm).uplink;
      if (uplink === null) return null;
      address = uplink.externalAddress;
      realm = uplink.outerRealm;
    }
    return realm === INTERNET_REALM ? formatV4(address) : null;
  }

  /**
   * One connection attempt (or datagram) from `from`, sent from `fromPort`
   * (null: an ephemeral port whose NAT state is not kept), to address:port.
   * `heldBy` ties the NAT mappings it makes to those TCP connections (see
   * NatBox); without it they live by the mapping timeout alone.
   */
  route(from: number, fromPort: number | null, dstAddress: string, dstPort: number, nowMs: number, heldBy: TcpConnections | null = null): RouteResult {
    const caller = this.hostState(from);
    const v4 = parseIPv4(dstAddress);
    if (v4 !== null) return this.routeV4(from, caller, fromPort, v4, dstPort, nowMs, heldBy);
    // Announced IPv6 addresses are the table's own keys (hostIpv6 hands them out): those need no parsing.
    if (this.v6Table.has(dstAddress)) return this.routeV6(from, caller, fromPort, dstAddress, dstPort, nowMs);
    const v6 = parseIPv6(dstAddress);
    if (v6 !== null) return this.routeV6(from, caller, fromPort, v6.map((g) => g.toString(16)).join(':'), dstPort, nowMs);
    return { outcome: 'rejected', reason: 'bad-address', oneWayMs: 0 };
  }

  private routeV4(from: number, caller: HostState, fromPort: number | null, dstV4: number, dstPort: number, nowMs: number, heldBy: TcpConnections | null): RouteResult {
    if (caller.ipv4 === null || !caller.attached) return { outcome: 'rejected', reason: 'no-ipv4', oneWayMs: 0 };
    let realm = caller.realm;
    let source: Endpoint = { address: caller.ipv4, port: fromPort ?? 0 };
    let target: Endpoint = { address: dstV4, port: dstPort };
    let cameOutOf: NatBox | null = null;
    let enteredInward = false;
    let natsCrossed = 0;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const entity = this.realmState(realm).v4.get(target.address | 0);
      if (entity !== undefined && entity % 2 === 0) {
        return this.deliver(from, entity / 2, target.port, source, natsCrossed);
      }
      if (entity !== undefined) {
        const nat = this.nats[(entity - 1) / 2] as NatBox;
        if (nat === cameOutOf && !nat.behaviour.hairpinning) return this.unreachable('hairpin-off', from, natsCrossed);
        const verdict = nat.inbound(target.port, source, nowMs);
        if (verdict.kind === 'blocked') return this.unreachable(verdict.reason, from, natsCrossed);
        realm = nat.innerRealm;
        target = verdict.to;
        enteredInward = true;
        natsCrossed++;
        continue;
      }
      const uplink = this.realmState(realm).uplink;
      if (enteredInward || uplink === null) return this.unreachable('no-route', from, natsCrossed);
      const translated = uplink.outbound(source, target, nowMs, fromPort !== null, heldBy);
      if (translated === null) return this.unreachable('nat-ports-exhausted', from, natsCrossed);
      source = translated;
      cameOutOf = uplink;
      realm = uplink.outerRealm;
      natsCrossed++;
    }
    return this.unreachable('no-route', from, natsCrossed);
  }

  private routeV6(from: number, caller: HostState, fromPort: number | null, dstKey: string, dstPort: number, nowMs: number): RouteResult {
    if (caller.ipv6 === null || !caller.attached) return { outcome: 'rejected', reason: 'no-ipv6', oneWayMs: 0 };
    // The caller's own firewall lets outbound through and remembers it, so the remote may answer later.
    if (fromPort !== null) this.firewallState.set(`${from}:${fromPort}>${dstKey}`, nowMs);
    const target = this.v6Table.get(dstKey);
    if (target === undefined) return this.unreachable('no-route', from, 0);
    const callee = this.hostState(target);
    if (target !== from && callee.ipv6Firewall && !this.firewallAllows(target, dstPort, caller.ipv6, nowMs)) {
      return this.unreachable('firewall', from, 0);
    }
    return this.deliverV6(from, target, dstPort, caller.ipv6, fromPort ?? 0);
  }

  private firewallAllows(host: number, port: number, remoteKey: string, nowMs: number): boolean {
    if (this.pinholes.has(host * 65536 + port)) return true;
    const last = this.firewallState.get(`${host}:${port}>${remoteKey}`);
    return last !== undefined && nowMs - last < this.options.firewallTimeoutMs;
  }

  private deliver(from: number, to: number, port: number, source: Endpoint, natsCrossed: number): RouteResult {
    const oneWayMs = this.pathDelay(from, to);
    if (oneWayMs < 0) return { outcome: 'dropped', reason: 'lost' };
    return new Delivered(to, port, oneWayMs, source.address, source.port, natsCrossed);
  }

  private deliverV6(from: number, to: number, port: number, sourceKey: string, sourcePort: number): RouteResult {
    const oneWayMs = this.pathDelay(from, to);
    if (oneWayMs < 0) return { outcome: 'dropped', reason: 'lost' };
    return new Delivered(to, port, oneWayMs, sourceKey, sourcePort, 0);
  }

  /** LAN-local traffic costs the LAN latency; anything over the Internet crosses both access links. */
  private pathDelay(from: number, to: number): number {
    if (from === to) return 0;
    const caller = this.hostState(from);
    const callee = this.hostState(to);
    // Same LAN (including a hairpin through its own router): never leaves the building.
    if (caller.realm === callee.realm && caller.realm !== INTERNET_REALM) return this.options.lanLatencyMs;
    const out = crossLink(caller.link, this.linkRng);
    if (out < 0) return -1;
    const into = crossLink(callee.link, this.linkRng);
    return into < 0 ? -1 : out + into;
  }

  /** Whatever stopped it either stays silent or answers fast, per scenario (ICMP unreachable / RST). */
  private unreachable(reason: BlockReason, from: number, natsCrossed: number): RouteResult {
    if (this.options.unreachable === 'drop') return { outcome: 'dropped', reason };
    const link = this.hostState(from).link;
    return { outcome: 'rejected', reason, oneWayMs: natsCrossed === 0 ? this.options.lanLatencyMs : link.latencyMs };
  }

  private claimV4(realm: number, address: number, entity: number): void {
    const table = this.realmState(realm).v4;
    const key = address | 0;
    const holder = table.get(key);
    if (holder !== undefined && holder !== entity) throw new Error(`address ${formatV4(address)} is already in use in realm ${realm}`);
    table.set(key, entity);
  }

  private releaseV4(realm: number, address: number, entity: number): void {
    const table = this.realmState(realm).v4;
    const key = address | 0;
    if (table.get(key) === entity) table.delete(key);
  }

  private realmState(realm: number): RealmState {
    const state = this.realms[realm];
    if (state === undefined) throw new RangeError(`no realm ${realm}`);
    return state;
  }

  private hostState(host: number): HostState {
    const state = this.hosts[host];
    if (state === undefined) throw new RangeError(`no host ${host}`);
    return state;
  }
}

function newRealm(): RealmState {
  return { uplink: null, v4: new SmallMap() };
}

function requireV4(address: string): number {
  const v4 = parseIPv4(address);
  if (v4 === null) throw new Error(`not an IPv4 address: ${address}`);
  return v4;
}

function requireV6(address: string): string {
  const v6 = parseIPv6(address);
  if (v6 === null) throw new Error(`not an IPv6 address: ${address}`);
  return v6.map((g) => g.toString(16)).join(':');
}

export function formatV4(address: number): string {
  return `${(address >>> 24) & 255}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}
