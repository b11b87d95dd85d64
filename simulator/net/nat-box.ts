/**
 * One NAT box: the state RFC 4787 describes (mappings, their filters and
 * timers) plus port forwards. Addresses are IPv4 numbers; endpoints are
 * (address, port). The box is passive: the Network calls outbound() when
 * traffic leaves the inside and inbound() when it arrives at the outside.
 */
import { nextInt, type Rng } from '../../reference/shared/rng.ts';
import type { NatBehaviour } from './nat-behaviour.ts';
import { SmallMap, SmallSet } from './small-collections.ts';

export interface Endpoint {
  address: number;
  port: number;
}

/**
 * The TCP connections behind a mapping, as the NAT sees them (RFC 5382):
 * while one is open the mapping lives by the established idle-timeout;
 * once the last has closed it lives until `closesAtMs` plus the box's
 * transitory timeout. `closesAtMs` may lie ahead (a connection idling
 * before its client closes it). The owner updates it; the box only reads.
 */
export interface TcpConnections {
  readonly open: number;
  readonly closesAtMs: number;
}

interface Mapping {
  internalAddress: number;
  internalPort: number;
  externalPort: number;
  /** Which remotes may answer (section 5): addresses, or address * 65536 + port; null under endpoint-independent filtering, which needs none. */
  permits: SmallSet<number> | null;
  lastOutboundMs: number;
  outboundKey: number | string;
  /** The connections that hold it, or null for a mapping that lives by the idle timeout alone. */
  heldBy: TcpConnections | null;
}

export type InboundVerdict =
  | { kind: 'forward'; to: Endpoint; via: 'mapping' | 'port-forward' }
  | { kind: 'blocked'; reason: 'no-mapping' | 'filtered' };

const FIRST_DYNAMIC_PORT = 1024;
const PORT_SPACE = 65536 - FIRST_DYNAMIC_PORT;
const MAX_PORT_PROBES = 64;

export class NatBox {
  /** Created with the first mapping: under the default model (relay traffic from ephemeral ports) many boxes never keep one, and a box outlives its departed host. */
  private byOutboundKey: SmallMap<number | string, Mapping> | null = null;
  private byExternalPort: SmallMap<number, Mapping> | null = null;
  /**
   * The first port forward in three int fields (port -1: none), the rest in
   * a map made on first use. A UPnP home has exactly one (its Peer Server's),
   * and its box outlives its departed host: a map and an endpoint object
   * each cost about 110 bytes more, paid for every home that ever joined.
   */
  private forwardPort = -1;
  /** The inside address as an int32 (`address | 0`); read back with `>>> 0`. */
  private forwardAddress = 0;
  private forwardToPort = 0;
  private moreForwards: SmallMap<number, Endpoint> | null = null;

  constructor(
    readonly id: number,
    readonly innerRealm: number,
    readonly outerRealm: number,
    /** The box's address in its outer realm (what the far side sees). */
    public externalAddress: number,
    readonly behaviour: NatBehaviour,
    private readonly portRng: Rng,
  ) {}

  /**
   * Traffic from internal X:x to remote Y:y. With `retain` the mapping is
   * created or refreshed (REQ-6: outbound refreshes) and Y:y is permitted
   * back in; without it (a throw-away ephemeral connection) a fresh
   * external port is returned and nothing is kept. `heldBy`, when given,
   * ties the mapping's life to those TCP connections. Null when the box
   * has no port left.
   */
  outbound(internal: Endpoint, remote: Endpoint, nowMs: number, retain: boolean, heldBy: TcpConnections | null = null): Endpoint | null {
    if (!retain) return { address: this.externalAddress, port: FIRST_DYNAMIC_PORT + nextInt(this.portRng, PORT_SPACE) };
    const key = this.outboundKey(internal, remote);
    let mapping = this.liveMapping(this.byOutboundKey?.get(key), nowMs);
    if (mapping === null) {
      const externalPort = this.allocatePort(internal.port, nowMs);
      if (externalPort === null) return null;
      const permits = this.behaviour.filtering === 'endpoint-independent' ? null : new SmallSet<number>();
      mapping = { internalAddress: internal.address, internalPort: internal.port, externalPort, permits, lastOutboundMs: nowMs, outboundKey: key, heldBy };
      (this.byOutboundKey ??= new SmallMap()).set(key, mapping);
      (this.byExternalPort ??= new SmallMap()).set(externalPort, mapping);
    }
    mapping.lastOutboundMs = nowMs;
    if (heldBy !== null) mapping.heldBy = heldBy;
    if (mapping.permits !== null) {
      mapping.permits.add(this.behaviour.filtering === 'address-dependent' ? remote.address : endpointKey(remote));
    }
    return { address: this.externalAddress, port: mapping.externalPort };
  }

  /** Traffic from remote Y:y to our external port: where it goes, or why not. */
  inbound(externalPort: number, remote: Endpoint, nowMs: number): InboundVerdict {
    const forward = this.forwardTo(externalPort);
    // A port forward is an operator's explicit "let everyone in" (no filter).
    if (forward !== null) return { kind: 'forward', to: forward, via: 'port-forward' };
    const mapping = this.liveMapping(this.byExternalPort?.get(externalPort), nowMs);
    if (mapping === null) return { kind: 'blocked', reason: 'no-mapping' };
    if (!this.filterAllows(mapping, remote)) return { kind: 'blocked', reason: 'filtered' };
    return { kind: 'forward', to: { address: mapping.internalAddress, port: mapping.internalPort }, via: 'mapping' };
  }

  /** A new outside address (DHCP renumbering): every dynamic mapping dies with the old one. */
  renumber(externalAddress: number): void {
    this.externalAddress = externalAddress;
    this.byOutboundKey = null;
    this.byExternalPort = null;
  }

  /** Static or UPnP-like forward of an external port to an inside endpoint; false when taken. */
  addPortForward(externalPort: number, to: Endpoint): boolean {
    const existing = this.forwardTo(externalPort);
    if (existing !== null) return existing.address === to.address && existing.port === to.port;
    if (this.forwardPort === -1) {
      this.forwardPort = externalPort;
      this.forwardAddress = to.address | 0;
      this.forwardToPort = to.port;
    } else {
      (this.moreForwards ??= new SmallMap()).set(externalPort, { address: to.address, port: to.port });
    }
    return true;
  }

  removePortForward(externalPort: number): void {
    if (this.forwardPort === externalPort) this.forwardPort = -1;
    else this.moreForwards?.delete(externalPort);
  }

  /** Where a forward of this external port leads, as a fresh endpoint; null when none. */
  private forwardTo(externalPort: number): Endpoint | null {
    if (this.forwardPort === externalPort) return { address: this.forwardAddress >>> 0, port: this.forwardToPort };
    return this.moreForwards?.get(externalPort) ?? null;
  }

  /** Live dynamic mappings (for tests and reports). */
  liveMappingCount(nowMs: number): number {
    let count = 0;
    for (const mapping of this.byExternalPort?.values() ?? []) if (this.alive(mapping, nowMs)) count++;
    return count;
  }

  /** A number for the common endpoint-independent case (no string built per packet). */
  private outboundKey(internal: Endpoint, remote: Endpoint): number | string {
    const from = endpointKey(internal);
    switch (this.behaviour.mapping) {
      case 'endpoint-independent':
        return from;
      case 'address-dependent':
        return `${from}>${remote.address}`;
      case 'address-and-port-dependent':
        return `${from}>${endpointKey(remote)}`;
    }
  }

  private filterAllows(mapping: Mapping, remote: Endpoint): boolean {
    switch (this.behaviour.filtering) {
      case 'endpoint-independent':
        return true;
      case 'address-dependent':
        return mapping.permits?.has(remote.address) === true;
      case 'address-and-port-dependent':
        return mapping.permits?.has(endpointKey(remote)) === true;
    }
  }

  /** Expired mappings are removed when touched (REQ-5), so the ports free up. */
  private liveMapping(mapping: Mapping | undefined, nowMs: number): Mapping | null {
    if (mapping === undefined) return null;
    if (this.alive(mapping, nowMs)) return mapping;
    this.byOutboundKey?.delete(mapping.outboundKey);
    if (this.byExternalPort?.get(mapping.externalPort) === mapping) this.byExternalPort.delete(mapping.externalPort);
    return null;
  }

  /** Idle past the established timeout is dead either way; a connection-held one also dies a transitory timeout after its last close. */
  private alive(mapping: Mapping, nowMs: number): boolean {
    if (nowMs - mapping.lastOutboundMs >= this.behaviour.mappingTimeoutMs) return false;
    const held = mapping.heldBy;
    return held === null || held.open > 0 || nowMs < held.closesAtMs + this.behaviour.transitoryTimeoutMs;
  }

  private allocatePort(preferred: number, nowMs: number): number | null {
    if (this.behaviour.portPreservation && this.portFree(preferred, nowMs)) return preferred;
    for (let probe = 0; probe < MAX_PORT_PROBES; probe++) {
      const port = FIRST_DYNAMIC_PORT + nextInt(this.portRng, PORT_SPACE);
      if (this.portFree(port, nowMs)) return port;
    }
    return null;
  }

  private portFree(port: number, nowMs: number): boolean {
    if (this.forwardTo(port) !== null) return false;
    return this.liveMapping(this.byExternalPort?.get(port), nowMs) === null;
  }
}

/** address * 65536 + port: exact in a double (< 2^48). */
function endpointKey(endpoint: Endpoint): number {
  return endpoint.address * 65536 + endpoint.port;
}
