/**
 * What a peer should be announcing now, for judging lookups stale: its own
 * addresses (the World keeps them in `currentAddresses`, which is also what
 * its lifecycle reads), plus, where the relay offers observed-address
 * (SPEC EXT-3), the address the relay sees its traffic come from, by the
 * reference peer's rule: public, not announced already, appended after its
 * own addresses while there is room. The relay sees a host with IPv4 at its
 * outermost NAT's address (relay calls go over IPv4 when the host has it,
 * see Transport) and an IPv6-only host at its own address.
 *
 * Computed from the network, not from the lifecycle: it is the truth the
 * peer's announcement is judged against (after a renumbering the peer
 * learns its new outside address only from its next heartbeat's answer).
 */
import { MAX_ANNOUNCED_ADDRESSES } from '../../reference/peer/core/address-order.ts';
import { classifyAddress } from '../../reference/shared/ip.ts';
import type { Network } from '../net/network.ts';
import type { VirtualPeer } from './virtual-peer.ts';

export function expectedAnnouncement(net: Network, peer: VirtualPeer, relayObservesAddress: boolean): string[] {
  const own = peer.currentAddresses;
  if (!relayObservesAddress || !peer.alive || own.length === 0 || own.length >= MAX_ANNOUNCED_ADDRESSES) return own;
  const host = peer.placement.host;
  const seen = net.hasIpv4(host) ? net.publicIpv4Of(host) : net.hostIpv6(host);
  if (seen === null || own.includes(seen)) return own;
  const kind = classifyAddress(seen);
  return kind === 'public-v4' || kind === 'global-v6' ? [...own, seen] : own;
}
