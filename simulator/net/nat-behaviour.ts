/**
 * How one NAT box behaves, in RFC 4787's terms.
 *
 * - Mapping (RFC 4787 section 4.1): when an internal endpoint X:x sends to
 *   several remotes, does it keep one external endpoint X':x'?
 *   `endpoint-independent`: yes, for every remote (REQ-1 says a NAT MUST).
 *   `address-dependent`: one mapping per remote address.
 *   `address-and-port-dependent`: one per remote address and port
 *   ("symmetric NAT" in the older vocabulary).
 * - Filtering (section 5): which inbound packets to X':x' get through.
 *   `endpoint-independent`: any remote (REQ-8 recommends it for transparency).
 *   `address-dependent`: only remotes X:x has sent to (by address).
 *   `address-and-port-dependent`: only remotes it sent to, address and port.
 * - Hairpinning (section 6, REQ-9): an internal host reaching another
 *   internal host through the NAT's external address.
 * - Port preservation (section 4.2.1): x' = x when that port is free.
 * - Mapping timeout (section 4.3, REQ-5/REQ-6): a mapping dies after this
 *   long without outbound traffic; only outbound traffic refreshes it. For
 *   a TCP connection this is RFC 5382's established idle-timeout.
 * - Transitory timeout (RFC 5382 REQ-5): a mapping held by TCP connections
 *   dies this long after the last of them closes (or after a SYN that was
 *   never answered), however long the established timeout is.
 */
export type NatMapping = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
export type NatFiltering = NatMapping;

export interface NatBehaviour {
  mapping: NatMapping;
  filtering: NatFiltering;
  hairpinning: boolean;
  portPreservation: boolean;
  mappingTimeoutMs: number;
  transitoryTimeoutMs: number;
}

export const NAT_MAPPINGS: readonly NatMapping[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];

/** Short names for reports and the NAT x NAT matrix: "EIM/APDF", ... */
export function natLabel(behaviour: Pick<NatBehaviour, 'mapping' | 'filtering'>): string {
  const short = { 'endpoint-independent': 'EI', 'address-dependent': 'AD', 'address-and-port-dependent': 'APD' } as const;
  return `${short[behaviour.mapping]}M/${short[behaviour.filtering]}F`;
}

/** RFC 5382 (TCP NAT behaviour) REQ-5: an established TCP mapping lasts at least 2 h 4 min idle. */
export const TCP_ESTABLISHED_TIMEOUT_MS = (2 * 60 + 4) * 60_000;
/** RFC 5382 REQ-5: a transitory one (closing, closed, or never established) at least 4 min. */
export const TCP_TRANSITORY_TIMEOUT_MS = 4 * 60_000;
