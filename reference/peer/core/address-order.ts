/**
 * Which addresses a peer announces, in which order (issue 3, step 4).
 * Callers try them in the announced order, so local ones go first: a peer
 * on the same LAN connects directly before anyone tries the NAT's outside.
 *
 *   1. private IPv4 (RFC 1918)
 *   2. IPv6 ULA (fc00::/7)
 *   3. IPv6 global
 *   4. public addresses: configured `--public-address` values and any
 *      public/CGNAT IPv4 found on an interface, in that order
 *   (loopback, 127/8 then ::1, last and only when asked: tests use it)
 *
 * At most `maxAddresses` (16) are announced. Configured `--public-address`
 * values are kept first: when there are too many, interface addresses are
 * dropped (the last in order first), never a configured one, so a host with
 * many private addresses still announces the address the operator set.
 * The survivors keep their announced order.
 *
 * Link-local addresses are never announced: they need a zone id to be
 * dialled and mean nothing off the link. Duplicates keep their first place;
 * within a class, input order is kept (stable), so the result is a pure
 * function of its input.
 */
import { classifyAddress, ipVersion, type AddressKind } from '../../shared/ip.ts';
import { RELAY_LIMITS } from '../../shared/protocol.ts';

/** One address as os.networkInterfaces() reports it (or a simulator host has it). */
export interface InterfaceAddress {
  address: string;
  /** Node's `internal` flag; loopback is recognised by address as well. */
  internal?: boolean;
}

export interface AddressOrderOptions {
  includeLoopback?: boolean;
  /** The relay accepts at most 16 addresses (issue 2); configured public addresses are kept, then the best of the rest. */
  maxAddresses?: number;
}

export const MAX_ANNOUNCED_ADDRESSES = RELAY_LIMITS.maxAddresses;

const RANK: Partial<Record<AddressKind, number>> = {
  'private-v4': 0,
  'ula-v6': 1,
  'global-v6': 2,
  'public-v4': 3,
  'cgnat-v4': 3,
  loopback: 5,
  'loopback-v6': 6,
};
const PUBLIC_CONFIGURED_RANK = 3;

export function orderAddresses(interfaces: readonly InterfaceAddress[], publicAddresses: readonly string[], options: AddressOrderOptions = {}): string[] {
  const ranked: Array<{ address: string; rank: number; seq: number; configured: boolean }> = [];
  let seq = 0;
  for (const entry of interfaces) {
    const rank = rankOf(entry.address, options);
    if (rank !== null) ranked.push({ address: canonical(entry.address), rank, seq: seq++, configured: false });
  }
  // Configured public addresses are what the operator knows is reachable
  // from outside, so they lead the public class, ahead of any found on an interface.
  for (const address of publicAddresses) {
    if (ipVersion(address) === null) continue;
    ranked.push({ address: canonical(address), rank: PUBLIC_CONFIGURED_RANK, seq: -1_000_000 + seq++, configured: true });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
  // De-duplicate: the first place wins, but an address configured anywhere stays "configured".
  const unique = new Map<string, boolean>();
  for (const { address, configured } of ranked) unique.set(address, (unique.get(address) ?? false) || configured);
  const max = Math.max(0, options.maxAddresses ?? MAX_ANNOUNCED_ADDRESSES);
  if (unique.size <= max) return [...unique.keys()];
  // Too many: reserve slots for the configured ones (the first `max` of them), fill the rest in order.
  let reserved = Math.min(max, [...unique.values()].filter(Boolean).length);
  let free = max - reserved;
  const out: string[] = [];
  for (const [address, configured] of unique) {
    if (configured && reserved > 0) {
      out.push(address);
      reserved--;
    } else if (!configured && free > 0) {
      out.push(address);
      free--;
    }
  }
  return out;
}

function rankOf(address: string, options: AddressOrderOptions): number | null {
  const kind = classifyAddress(address);
  const rank = RANK[kind];
  if (rank === undefined) return null; // link-local, 'other', unparsable (zone ids)
  if ((kind === 'loopback' || kind === 'loopback-v6') && !options.includeLoopback) return null;
  return rank;
}

/** Lower-case IPv6 so the same address written twice is one entry. */
function canonical(address: string): string {
  return address.trim().toLowerCase();
}

/** Whether two ordered announcements differ (a re-ready is due). */
export function sameAddressList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
