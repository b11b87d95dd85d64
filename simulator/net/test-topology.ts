/**
 * Small hand-built topologies for the network tests: a public relay and
 * homes behind NAT boxes whose LANs deliberately reuse 192.168.1.0/24.
 */
import { SeededRng } from '../../reference/shared/rng.ts';
import type { LinkProfile } from './link.ts';
import type { NatBehaviour, NatFiltering, NatMapping } from './nat-behaviour.ts';
import { INTERNET_REALM, Network, type UnreachableMode } from './network.ts';

export const RELAY_ADDRESS = '203.0.113.10';
export const RELAY_PORT = 443;
export const SERVER_PORT = 40_000;
export const WAN_LINK: LinkProfile = { latencyMs: 20, jitterMs: 0, lossRatio: 0 };
export const HOUR_MS = 3_600_000;

export function behaviour(mapping: NatMapping, filtering: NatFiltering, extra: Partial<NatBehaviour> = {}): NatBehaviour {
  return { mapping, filtering, hairpinning: true, portPreservation: true, mappingTimeoutMs: HOUR_MS, transitoryTimeoutMs: 240_000, ...extra };
}

export function newNetwork(unreachable: UnreachableMode = 'drop'): { net: Network; relay: number } {
  const net = new Network({ lanLatencyMs: 1, unreachable, firewallTimeoutMs: HOUR_MS }, new SeededRng(1), new SeededRng(2));
  const relay = net.addHost({ realm: INTERNET_REALM, ipv4: RELAY_ADDRESS, ipv6: '2001:db8::10', ipv6Firewall: false, link: WAN_LINK });
  return { net, relay };
}

/** A home: one LAN behind one NAT at `externalAddress`, with a host at `hostAddress`. */
export function addHome(net: Network, externalAddress: string, nat: NatBehaviour, hostAddress = '192.168.1.10'): { host: number; realm: number } {
  const realm = net.createRealm();
  net.addNat(realm, INTERNET_REALM, externalAddress, nat);
  const host = net.addHost({ realm, ipv4: hostAddress, ipv6: null, ipv6Firewall: false, link: WAN_LINK });
  return { host, realm };
}
