/**
 * Builds the virtual Internet a scenario's topology mix describes, one
 * peer at a time: a public host, a home LAN behind a NAT (peers_per_lan
 * peers share one), a home behind a carrier's CGNAT, or an IPv6-only host.
 * Addresses come from counters, so the same sequence of calls always gives
 * the same addresses.
 */
import { parseIPv4 } from '../../reference/shared/ip.ts';
import { nextFloat, nextInt, type Rng } from '../../reference/shared/rng.ts';
import type { NatBox } from '../net/nat-box.ts';
import { formatV4, INTERNET_REALM, type Network } from '../net/network.ts';
import type { Scenario, TopologyClass } from '../scenario/scenario.ts';

export interface Placement {
  classIndex: number;
  host: number;
  /** The LAN's router, whose outside address DHCP may renumber; null for public and IPv6-only hosts. */
  router: NatBox | null;
  serverPort: number;
  /** A UPnP forward to remove when the peer leaves gracefully. */
  upnpForwardPort: number | null;
}

interface OpenLan {
  realm: number;
  router: NatBox | null;
  index: number;
  hostsPlaced: number;
}

const PUBLIC_POOL_BASE = parseIPv4('23.0.0.1') as number;
const CGNAT_POOL_BASE = parseIPv4('100.64.0.1') as number;
const SUBSCRIBERS_PER_CARRIER = 1000;
const FIRST_HOST_OCTET = 10;
const EPHEMERAL_PORT_BASE = 49152;

export class TopologyBuilder {
  private publicCount = 0;
  private lanCount = 0;
  private readonly openLans = new Map<number, OpenLan>();
  private carrier: { realm: number; subscribers: number } | null = null;
  private readonly cumulativeShares: number[];

  constructor(
    private readonly net: Network,
    private readonly scenario: Scenario,
    private readonly rng: Rng,
  ) {
    let sum = 0;
    this.cumulativeShares = scenario.topology.map((c) => (sum += c.sharePercent) / 100);
  }

  /** Class indices for the initial peers: exact shares (largest remainder), in a seeded shuffle. */
  initialClasses(count: number): number[] {
    const quotas = this.scenario.topology.map((c, i) => ({ i, exact: (count * c.sharePercent) / 100 }));
    const counts = quotas.map((q) => Math.floor(q.exact));
    let missing = count - counts.reduce((a, b) => a + b, 0);
    const byRemainder = [...quotas].sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.i - b.i);
    for (const q of byRemainder) if (missing-- > 0) counts[q.i] = (counts[q.i] as number) + 1;
    const classes = counts.flatMap((n, i) => new Array<number>(n).fill(i));
    for (let i = classes.length - 1; i > 0; i--) {
      const j = nextInt(this.rng, i + 1);
      [classes[i], classes[j]] = [classes[j] as number, classes[i] as number];
    }
    return classes;
  }

  /** A class drawn by share, for peers joining later. */
  randomClass(): number {
    const draw = nextFloat(this.rng);
    const index = this.cumulativeShares.findIndex((c) => draw < c);
    return index < 0 ? this.cumulativeShares.length - 1 : index;
  }

  place(classIndex: number): Placement {
    const spec = this.scenario.topology[classIndex] as TopologyClass;
    const serverPort = this.scenario.serverPort ?? EPHEMERAL_PORT_BASE + nextInt(this.rng, 65536 - EPHEMERAL_PORT_BASE);
    const link = this.scenario.link;
    if (spec.kind === 'public') {
      const host = this.net.addHost({ realm: INTERNET_REALM, ipv4: this.nextPublicAddress(), ipv6: spec.ipv6 === 'none' ? null : this.v6Address(this.lanCount++, 0), ipv6Firewall: spec.ipv6 === 'firewalled', link });
      this.openPinhole(spec, host, serverPort);
      return { classIndex, host, router: null, serverPort, upnpForwardPort: null };
    }
    if (spec.kind === 'ipv6-only') {
      const host = this.net.addHost({ realm: this.net.createRealm(), ipv4: null, ipv6: this.v6Address(this.lanCount++, 0), ipv6Firewall: spec.ipv6 === 'firewalled', link });
      this.openPinhole(spec, host, serverPort);
      return { classIndex, host, router: null, serverPort, upnpForwardPort: null };
    }
    const lan = this.lanFor(classIndex, spec);
    const slot = lan.hostsPlaced++;
    const ipv4 = this.lanAddress(lan.index, slot);
    const host = this.net.addHost({ realm: lan.realm, ipv4, ipv6: spec.ipv6 === 'none' ? null : this.v6Address(lan.index, slot), ipv6Firewall: spec.ipv6 === 'firewalled', link });
    this.openPinhole(spec, host, serverPort);
    let upnpForwardPort: number | null = null;
    if (spec.portForward !== 'none' && lan.router !== null) {
      // Two peers of one LAN on the same port: the router keeps the first forward (a real UPnP conflict).
      const added = lan.router.addPortForward(serverPort, { address: parseIPv4(ipv4) as number, port: serverPort });
      if (added && spec.portForward === 'upnp') upnpForwardPort = serverPort;
    }
    return { classIndex, host, router: lan.router, serverPort, upnpForwardPort };
  }

  nextPublicAddress(): string {
    return formatV4(PUBLIC_POOL_BASE + this.publicCount++);
  }

  private openPinhole(spec: TopologyClass, host: number, serverPort: number): void {
    if (spec.ipv6 === 'firewalled' && spec.portForward !== 'none') this.net.addIpv6Pinhole(host, serverPort);
  }

  private lanFor(classIndex: number, spec: TopologyClass): OpenLan {
    const open = this.openLans.get(classIndex);
    if (open !== undefined && open.hostsPlaced < spec.peersPerLan) return open;
    const realm = this.net.createRealm();
    const router = spec.kind === 'cgnat' ? this.net.addNat(realm, this.carrierRealm(spec), this.nextCgnatAddress(), spec.nat) : this.net.addNat(realm, INTERNET_REALM, this.nextPublicAddress(), spec.nat);
    const lan: OpenLan = { realm, router, index: this.lanCount++, hostsPlaced: 0 };
    this.openLans.set(classIndex, lan);
    return lan;
  }

  private carrierRealm(spec: TopologyClass): number {
    if (this.carrier === null || this.carrier.subscribers >= SUBSCRIBERS_PER_CARRIER) {
      const realm = this.net.createRealm();
      this.net.addNat(realm, INTERNET_REALM, this.nextPublicAddress(), spec.carrierNat);
      this.carrier = { realm, subscribers: 0 };
    }
    this.carrier.subscribers++;
    return this.carrier.realm;
  }

  private cgnatCount = 0;
  private nextCgnatAddress(): string {
    return formatV4(CGNAT_POOL_BASE + (this.cgnatCount++ % (SUBSCRIBERS_PER_CARRIER * 4)));
  }

  /** Overlapping: every LAN is 192.168.1.0/24 (what home routers ship with); distinct: 10.x.y.0/24 per LAN. */
  private lanAddress(lanIndex: number, slot: number): string {
    const octet = FIRST_HOST_OCTET + slot;
    if (this.scenario.lanAddressing === 'overlapping') return `192.168.1.${octet}`;
    if (lanIndex >= 65536) throw new Error('distinct LAN addressing supports at most 65536 LANs');
    return `10.${lanIndex >>> 8}.${lanIndex & 255}.${octet}`;
  }

  private v6Address(lanIndex: number, slot: number): string {
    return `2001:db8:${(lanIndex >>> 16).toString(16)}:${(lanIndex & 0xffff).toString(16)}::${(FIRST_HOST_OCTET + slot).toString(16)}`;
  }
}
