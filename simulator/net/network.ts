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
import { PagedIntMap } from './paged-int-map.ts';
import { PagedInts } from './paged-ints.ts';

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

// A host's row in the Network's host table (PagedInts), one int32 each.
const H_REALM = 0;
/** The IPv4 address as an int32 (`address | 0`); read back with `>>> 0`. Meaningless unless HAS_IPV4. */
const H_IPV4 = 1;
const H_FLAGS = 2;
/** Index into the Network's table of distinct link profiles (scenarios give every host the same one). */
const H_LINK = 3;
const HOST_FIELDS = 4;
const HAS_IPV4 = 1;
/** A stateful IPv6 firewall (RFC 6092 style): unsolicited inbound blocked unless pinholed. */
const IPV6_FIREWALL = 2;
const ATTACHED = 4;

// A realm's row: its uplink NAT's id (-1: none) and up to two IPv4 entries
// held in place (value -1: empty). A LAN holds one or two entries; a third
// goes to the realm's overflow Map (a carrier's CGNAT space, big LANs).
const R_UPLINK = 0;
const R_KEY0 = 1;
const R_VALUE0 = 2;
const R_KEY1 = 3;
const R_VALUE1 = 4;
const REALM_FIELDS = 5;
const NONE = -1;

export class Network {
  /**
   * IPv4 address -> entity (host h as 2h, NAT n as 2n + 1) in each realm,
   * keyed by the address as an int32 (`address | 0`, one-to-one) so keys
   * stay small integers. The Internet holds every public host and NAT
   * (paged); every other realm keeps its first two entries in its row.
   */
  private readonly internetV4 = new PagedIntMap();
  private readonly realms = new PagedInts(REALM_FIELDS, NONE);
  private readonly realmOverflow = new Map<number, Map<number, number>>();
  private readonly hosts = new PagedInts(HOST_FIELDS, 0);
  /** Each host's IPv6 key, or null. */
  private readonly hostIpv6s: (string | null)[] = [];
  private readonly links: LinkProfile[] = [];
  private readonly linkIndex = new Map<LinkProfile, number>();
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
  ) {
    this.realms.push(); // INTERNET_REALM: its table is internetV4
  }

  createRealm(): number {
    return this.realms.push();
  }

  /** A NAT box joining `innerRealm` to `outerRealm`, at `externalAddress` in the outer one. */
  addNat(innerRealm: number, outerRealm: number, externalAddress: string, behaviour: NatBehaviour): NatBox {
    this.requireRealm(outerRealm);
    if (this.uplinkOf(innerRealm) !== null) throw new Error(`realm ${innerRealm} already has an uplink NAT`);
    const nat = new NatBox(this.nats.length, innerRealm, outerRealm, requireV4(externalAddress), behaviour, this.portRng);
    this.claimV4(outerRealm, nat.externalAddress, 2 * nat.id + 1);
    this.nats.push(nat);
    this.realms.set(innerRealm, R_UPLINK, nat.id);
    return nat;
  }

  addHost(spec: HostSpec): number {
    this.requireRealm(spec.realm);
    const id = this.hosts.push();
    this.hostIpv6s.push(null);
    this.hosts.set(id, H_REALM, spec.realm);
    this.hosts.set(id, H_FLAGS, ATTACHED | (spec.ipv6Firewall ? IPV6_FIREWALL : 0));
    this.hosts.set(id, H_LINK, this.linkId(spec.link));
    if (spec.ipv4 !== null) this.setHostIpv4(id, spec.ipv4);
    if (spec.ipv6 !== null) this.setHostIpv6(id, spec.ipv6);
    return id;
  }

  /** Renumbering (DHCP): the old address stops answering at once. */
  setHostIpv4(host: number, address: string | null): void {
    const realm = this.hosts.get(host, H_REALM);
    const flags = this.hosts.get(host, H_FLAGS);
    if ((flags & HAS_IPV4) !== 0) this.releaseV4(realm, this.ipv4Of(host), 2 * host);
    if (address === null) {
      this.hosts.set(host, H_FLAGS, flags & ~HAS_IPV4);
      return;
    }
    const v4 = requireV4(address);
    this.hosts.set(host, H_IPV4, v4 | 0);
    this.hosts.set(host, H_FLAGS, flags | HAS_IPV4);
    if ((flags & ATTACHED) !== 0) this.claimV4(realm, v4, 2 * host);
  }

  setHostIpv6(host: number, address: string | null): void {
    const old = this.ipv6Key(host);
    if (old !== null && this.v6Table.get(old) === host) this.v6Table.delete(old);
    const key = address === null ? null : requireV6(address);
    this.hostIpv6s[host] = key;
    if (key !== null && this.isAttached(host)) {
      if (this.v6Table.has(key)) throw new Error(`IPv6 address ${address} is already in use`);
      this.v6Table.set(key, host);
    }
  }

  /** A host leaving the network (crash, shutdown): its addresses stop answering. */
  detachHost(host: number): void {
    if (!this.isAttached(host)) return;
    if (this.hasIpv4(host)) this.releaseV4(this.hosts.get(host, H_REALM), this.ipv4Of(host), 2 * host);
    const key = this.ipv6Key(host);
    if (key !== null && this.v6Table.get(key) === host) this.v6Table.delete(key);
    this.hosts.set(host, H_FLAGS, this.hosts.get(host, H_FLAGS) & ~ATTACHED);
  }

  attachHost(host: number): void {
    if (this.isAttached(host)) return;
    this.hosts.set(host, H_FLAGS, this.hosts.get(host, H_FLAGS) | ATTACHED);
    if (this.hasIpv4(host)) this.claimV4(this.hosts.get(host, H_REALM), this.ipv4Of(host), 2 * host);
    const key = this.ipv6Key(host);
    if (key !== null) this.setHostIpv6(host, key);
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
    const id = this.realms.get(realm, R_UPLINK);
    return id === NONE ? null : (this.nats[id] as NatBox);
  }

  /** Whether the host has an IPv4 address (hostIpv4() !== null without formatting it). */
  hasIpv4(host: number): boolean {
    return (this.hosts.get(host, H_FLAGS) & HAS_IPV4) !== 0;
  }

  hostIpv4(host: number): string | null {
    return this.hasIpv4(host) ? formatV4(this.ipv4Of(host)) : null;
  }

  hostIpv6(host: number): string | null {
    return this.ipv6Key(host);
  }

  hostRealm(host: number): number {
    return this.hosts.get(host, H_REALM);
  }

  /** The IPv4 address the public Internet sees for this host's traffic (the outermost NAT's), or null. */
  publicIpv4Of(host: number): string | null {
    if (!this.hasIpv4(host)) return null;
    let realm = this.hosts.get(host, H_REALM);
    let address = this.ipv4Of(host);
    for (let hop = 0; realm !== INTERNET_REALM && hop < MAX_HOPS; hop++) {
      const uplink = this.uplinkOf(realm);
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
    const v4 = parseIPv4(dstAddress);
    if (v4 !== null) return this.routeV4(from, fromPort, v4, dstPort, nowMs, heldBy);
    // Announced IPv6 addresses are the table's own keys (hostIpv6 hands them out): those need no parsing.
    if (this.v6Table.has(dstAddress)) return this.routeV6(from, fromPort, dstAddress, dstPort, nowMs);
    const v6 = parseIPv6(dstAddress);
    if (v6 !== null) return this.routeV6(from, fromPort, v6.map((g) => g.toString(16)).join(':'), dstPort, nowMs);
    this.hosts.get(from, H_FLAGS); // an unknown caller is a bug whatever the address
    return { outcome: 'rejected', reason: 'bad-address', oneWayMs: 0 };
  }

  private routeV4(from: number, fromPort: number | null, dstV4: number, dstPort: number, nowMs: number, heldBy: TcpConnections | null): RouteResult {
    const flags = this.hosts.get(from, H_FLAGS);
    if ((flags & HAS_IPV4) === 0 || (flags & ATTACHED) === 0) return { outcome: 'rejected', reason: 'no-ipv4', oneWayMs: 0 };
    let realm = this.hosts.get(from, H_REALM);
    let source: Endpoint = { address: this.ipv4Of(from), port: fromPort ?? 0 };
    let target: Endpoint = { address: dstV4, port: dstPort };
    let cameOutOf: NatBox | null = null;
    let enteredInward = false;
    let natsCrossed = 0;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const entity = this.v4Get(realm, target.address | 0);
      if (entity !== NONE && entity % 2 === 0) {
        return this.deliver(from, entity / 2, target.port, source, natsCrossed);
      }
      if (entity !== NONE) {
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
      const uplink = this.uplinkOf(realm);
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

  private routeV6(from: number, fromPort: number | null, dstKey: string, dstPort: number, nowMs: number): RouteResult {
    const callerKey = this.ipv6Key(from);
    if (callerKey === null || !this.isAttached(from)) return { outcome: 'rejected', reason: 'no-ipv6', oneWayMs: 0 };
    // The caller's own firewall lets outbound through and remembers it, so the remote may answer later.
    if (fromPort !== null) this.firewallState.set(`${from}:${fromPort}>${dstKey}`, nowMs);
    const target = this.v6Table.get(dstKey);
    if (target === undefined) return this.unreachable('no-route', from, 0);
    const firewalled = (this.hosts.get(target, H_FLAGS) & IPV6_FIREWALL) !== 0;
    if (target !== from && firewalled && !this.firewallAllows(target, dstPort, callerKey, nowMs)) {
      return this.unreachable('firewall', from, 0);
    }
    return this.deliverV6(from, target, dstPort, callerKey, fromPort ?? 0);
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
    const callerRealm = this.hosts.get(from, H_REALM);
    // Same LAN (including a hairpin through its own router): never leaves the building.
    if (callerRealm === this.hosts.get(to, H_REALM) && callerRealm !== INTERNET_REALM) return this.options.lanLatencyMs;
    const out = crossLink(this.linkOf(from), this.linkRng);
    if (out < 0) return -1;
    const into = crossLink(this.linkOf(to), this.linkRng);
    return into < 0 ? -1 : out + into;
  }

  /** Whatever stopped it either stays silent or answers fast, per scenario (ICMP unreachable / RST). */
  private unreachable(reason: BlockReason, from: number, natsCrossed: number): RouteResult {
    if (this.options.unreachable === 'drop') return { outcome: 'dropped', reason };
    return { outcome: 'rejected', reason, oneWayMs: natsCrossed === 0 ? this.options.lanLatencyMs : this.linkOf(from).latencyMs };
  }

  private claimV4(realm: number, address: number, entity: number): void {
    const key = address | 0;
    const holder = this.v4Get(realm, key);
    if (holder !== NONE && holder !== entity) throw new Error(`address ${formatV4(address)} is already in use in realm ${realm}`);
    this.v4Set(realm, key, entity);
  }

  private releaseV4(realm: number, address: number, entity: number): void {
    const key = address | 0;
    if (this.v4Get(realm, key) === entity) this.v4Delete(realm, key);
  }

  /** The entity at `key` in the realm, or NONE. */
  private v4Get(realm: number, key: number): number {
    if (realm === INTERNET_REALM) return this.internetV4.get(key) ?? NONE;
    const realms = this.realms;
    if (realms.get(realm, R_VALUE0) !== NONE && realms.get(realm, R_KEY0) === key) return realms.get(realm, R_VALUE0);
    if (realms.get(realm, R_VALUE1) !== NONE && realms.get(realm, R_KEY1) === key) return realms.get(realm, R_VALUE1);
    return this.realmOverflow.get(realm)?.get(key) ?? NONE;
  }

  private v4Set(realm: number, key: number, entity: number): void {
    if (realm === INTERNET_REALM) return this.internetV4.set(key, entity);
    const realms = this.realms;
    const overflow = this.realmOverflow.get(realm);
    for (const [keyField, valueField] of SLOTS) {
      if (realms.get(realm, valueField) !== NONE && realms.get(realm, keyField) === key) return realms.set(realm, valueField, entity);
    }
    if (overflow?.has(key) === true) {
      overflow.set(key, entity);
      return;
    }
    for (const [keyField, valueField] of SLOTS) {
      if (realms.get(realm, valueField) === NONE) {
        realms.set(realm, keyField, key);
        return realms.set(realm, valueField, entity);
      }
    }
    if (overflow !== undefined) overflow.set(key, entity);
    else this.realmOverflow.set(realm, new Map([[key, entity]]));
  }

  private v4Delete(realm: number, key: number): void {
    if (realm === INTERNET_REALM) {
      this.internetV4.delete(key);
      return;
    }
    for (const [keyField, valueField] of SLOTS) {
      if (this.realms.get(realm, valueField) !== NONE && this.realms.get(realm, keyField) === key) return this.realms.set(realm, valueField, NONE);
    }
    this.realmOverflow.get(realm)?.delete(key);
  }

  private requireRealm(realm: number): void {
    if (!(Number.isInteger(realm) && realm >= 0 && realm < this.realms.length)) throw new RangeError(`no realm ${realm}`);
  }

  private isAttached(host: number): boolean {
    return (this.hosts.get(host, H_FLAGS) & ATTACHED) !== 0;
  }

  /** The host's IPv4 number as parseIPv4 gave it (unsigned). */
  private ipv4Of(host: number): number {
    return this.hosts.get(host, H_IPV4) >>> 0;
  }

  private ipv6Key(host: number): string | null {
    this.hosts.get(host, H_FLAGS); // throws for a host that does not exist
    return this.hostIpv6s[host] as string | null;
  }

  private linkOf(host: number): LinkProfile {
    return this.links[this.hosts.get(host, H_LINK)] as LinkProfile;
  }

  private linkId(link: LinkProfile): number {
    let id = this.linkIndex.get(link);
    if (id === undefined) {
      id = this.links.length;
      this.links.push(link);
      this.linkIndex.set(link, id);
    }
    return id;
  }
}

const SLOTS: readonly (readonly [number, number])[] = [
  [R_KEY0, R_VALUE0],
  [R_KEY1, R_VALUE1],
];

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
