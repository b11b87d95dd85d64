import { describe, expect, it } from 'vitest';
import { NAT_MAPPINGS, natLabel, type NatFiltering, type NatMapping } from './nat-behaviour.ts';
import { INTERNET_REALM } from './network.ts';
import { addHome, behaviour, HOUR_MS, newNetwork, RELAY_ADDRESS, RELAY_PORT, SERVER_PORT, WAN_LINK } from './test-topology.ts';

const A_EXTERNAL = '198.51.100.1';
const B_EXTERNAL = '198.51.100.2';

/**
 * What RFC 4787 says about a dial from A (any NAT, ephemeral source port)
 * to B's external address at B's Peer Server port, after B sent traffic
 * to the relay from that port (so B's NAT holds a mapping for it, port
 * preserved) and, when `bSentToA`, also sent from it to A's external
 * address. The reference peer never sends from that port (only the
 * simulator's shared-port hypothesis does), so without a forward no NAT
 * type lets A in there; this table is the NAT model's own check:
 * - endpoint-independent filtering (section 5) admits anyone;
 * - address-dependent filtering admits A only when B's mapping for that
 *   port has sent to A's address: with endpoint-independent mapping the
 *   relay mapping is that mapping; with address(-and-port)-dependent
 *   mapping, the send to A made a second mapping on another port;
 * - address-and-port-dependent filtering never admits A's ephemeral port.
 *
 * A's own NAT type never changes the verdict, and the table checks that it
 * does not: A's outbound dial always leaves (RFC 4787 filters inbound
 * only), and B's filter judges the address and port A's NAT puts on it,
 * which B never sent to. A's type would matter for hole punching (both
 * sides sending at once), which the protocol does not do; hairpinning and
 * port preservation are tested per behaviour below.
 */
function rfc4787Expects(bMapping: NatMapping, bFiltering: NatFiltering, bSentToA: boolean): boolean {
  if (bFiltering === 'endpoint-independent') return true;
  if (bFiltering === 'address-dependent') return bSentToA && bMapping === 'endpoint-independent';
  return false;
}

const TYPES = NAT_MAPPINGS.flatMap((mapping) => NAT_MAPPINGS.map((filtering) => ({ mapping, filtering })));
const PAIRS = TYPES.flatMap((a) => TYPES.flatMap((b) => [false, true].map((bSentToA) => ({ a, b, bSentToA }))));

describe('reachability of a NATed Peer Server, for every NAT type pair (RFC 4787)', () => {
  it.each(PAIRS)('A $a.mapping/$a.filtering -> B $b.mapping/$b.filtering, B sent to A first: $bSentToA', ({ a, b, bSentToA }) => {
    const { net } = newNetwork();
    const homeA = addHome(net, A_EXTERNAL, behaviour(a.mapping, a.filtering));
    const homeB = addHome(net, B_EXTERNAL, behaviour(b.mapping, b.filtering));
    expect(net.route(homeA.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0).outcome).toBe('delivered');
    expect(net.route(homeB.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0).outcome).toBe('delivered');
    if (bSentToA) net.route(homeB.host, SERVER_PORT, A_EXTERNAL, 50_000, 1);
    const dial = net.route(homeA.host, null, B_EXTERNAL, SERVER_PORT, 2);
    const expected = rfc4787Expects(b.mapping, b.filtering, bSentToA);
    expect(dial.outcome).toBe(expected ? 'delivered' : 'dropped');
    if (dial.outcome === 'delivered') {
      expect(dial.host).toBe(homeB.host);
      expect(dial.seenAddress).toBe(A_EXTERNAL);
    } else {
      expect(dial).toMatchObject({ reason: expect.stringMatching(/^(filtered|no-mapping)$/) });
    }
  });

  it('symmetric NAT on both sides: neither can reach the other, even after both talked to the relay', () => {
    const { net } = newNetwork();
    const symmetric = behaviour('address-and-port-dependent', 'address-and-port-dependent');
    const homeA = addHome(net, A_EXTERNAL, symmetric);
    const homeB = addHome(net, B_EXTERNAL, symmetric);
    net.route(homeA.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    net.route(homeB.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    expect(net.route(homeA.host, null, B_EXTERNAL, SERVER_PORT, 1)).toEqual({ outcome: 'dropped', reason: 'filtered' });
    expect(net.route(homeB.host, null, A_EXTERNAL, SERVER_PORT, 1)).toEqual({ outcome: 'dropped', reason: 'filtered' });
  });

  it('labels NAT types the way the reports do', () => {
    expect(natLabel(behaviour('endpoint-independent', 'address-and-port-dependent'))).toBe('EIM/APDF');
  });
});

describe('mapping lifetime (RFC 4787 REQ-5, REQ-6)', () => {
  it('an idle mapping expires, and outbound traffic (a heartbeat) keeps it alive', () => {
    const { net } = newNetwork();
    const eim = behaviour('endpoint-independent', 'endpoint-independent', { mappingTimeoutMs: HOUR_MS });
    const caller = addHome(net, A_EXTERNAL, eim);
    const quiet = addHome(net, B_EXTERNAL, eim);
    const chatty = addHome(net, '198.51.100.3', eim);
    net.route(quiet.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    net.route(chatty.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    net.route(chatty.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, HOUR_MS - 1);
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, HOUR_MS - 1).outcome).toBe('delivered');
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, HOUR_MS)).toEqual({ outcome: 'dropped', reason: 'no-mapping' });
    expect(net.route(caller.host, null, '198.51.100.3', SERVER_PORT, HOUR_MS).outcome).toBe('delivered');
  });

  it('a mapping held by TCP connections (RFC 5382) lives while one is open, then the transitory timeout after the last closes', () => {
    const { net } = newNetwork();
    const eim = behaviour('endpoint-independent', 'endpoint-independent', { mappingTimeoutMs: 2 * HOUR_MS, transitoryTimeoutMs: 240_000 });
    const caller = addHome(net, A_EXTERNAL, eim);
    const callee = addHome(net, B_EXTERNAL, eim);
    const connections = { open: 1, closesAtMs: Number.NEGATIVE_INFINITY };
    net.route(callee.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0, connections);
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 600_000).outcome).toBe('delivered');
    // Closed at 600 s: transitory from then, though the 2 h idle timeout is far off.
    Object.assign(connections, { open: 0, closesAtMs: 600_000 });
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 600_000 + 239_999).outcome).toBe('delivered');
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 600_000 + 240_000)).toEqual({ outcome: 'dropped', reason: 'no-mapping' });
  });

  it('inbound traffic alone does not refresh a mapping', () => {
    const { net } = newNetwork();
    const eim = behaviour('endpoint-independent', 'endpoint-independent', { mappingTimeoutMs: 1000 });
    const caller = addHome(net, A_EXTERNAL, eim);
    const callee = addHome(net, B_EXTERNAL, eim);
    net.route(callee.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 900).outcome).toBe('delivered');
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 1000).outcome).toBe('dropped');
  });

  it('without port preservation the announced port is not the mapped one, so the dial misses', () => {
    const { net } = newNetwork();
    const caller = addHome(net, A_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent'));
    const callee = addHome(net, B_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent', { portPreservation: false }));
    const relaySaw = net.route(callee.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    expect(relaySaw.outcome === 'delivered' && relaySaw.seenPort).not.toBe(SERVER_PORT);
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 1)).toEqual({ outcome: 'dropped', reason: 'no-mapping' });
    if (relaySaw.outcome === 'delivered') expect(net.route(caller.host, null, B_EXTERNAL, relaySaw.seenPort, 1).outcome).toBe('delivered');
  });
});

describe('hairpinning (RFC 4787 REQ-9)', () => {
  it.each([true, false])('a LAN neighbour dialling the NAT outside address, hairpinning %s', (hairpinning) => {
    const { net } = newNetwork();
    const home = addHome(net, A_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent', { hairpinning }));
    const neighbour = net.addHost({ realm: home.realm, ipv4: '192.168.1.20', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    net.route(home.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    const dial = net.route(neighbour, null, A_EXTERNAL, SERVER_PORT, 1);
    if (hairpinning) {
      expect(dial).toMatchObject({ outcome: 'delivered', host: home.host, seenAddress: A_EXTERNAL, oneWayMs: 1 });
    } else {
      expect(dial).toEqual({ outcome: 'dropped', reason: 'hairpin-off' });
    }
  });
});

describe('port forwarding', () => {
  it('a forward admits unsolicited dials even through address-and-port-dependent filtering', () => {
    const { net } = newNetwork();
    const caller = addHome(net, A_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent'));
    const callee = addHome(net, B_EXTERNAL, behaviour('address-and-port-dependent', 'address-and-port-dependent'));
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 0).outcome).toBe('dropped');
    net.uplinkOf(callee.realm)!.addPortForward(SERVER_PORT, { address: 0xc0a8010a, port: SERVER_PORT });
    expect(net.route(caller.host, null, B_EXTERNAL, SERVER_PORT, 0)).toMatchObject({ outcome: 'delivered', host: callee.host });
  });
});

describe('overlapping private LANs', () => {
  it("a private address reaches the caller's own LAN neighbour (the wrong host), or nothing", () => {
    const { net } = newNetwork();
    const eim = behaviour('endpoint-independent', 'endpoint-independent');
    const caller = addHome(net, A_EXTERNAL, eim, '192.168.1.10');
    const stranger = net.addHost({ realm: caller.realm, ipv4: '192.168.1.20', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    const target = addHome(net, B_EXTERNAL, eim, '192.168.1.20');
    net.addHost({ realm: target.realm, ipv4: '192.168.1.30', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    const wrong = net.route(caller.host, null, '192.168.1.20', SERVER_PORT, 0);
    expect(wrong).toMatchObject({ outcome: 'delivered', host: stranger, oneWayMs: 1 });
    expect(wrong.outcome === 'delivered' && wrong.host).not.toBe(target.host);
    expect(net.route(caller.host, null, '192.168.1.30', SERVER_PORT, 0)).toEqual({ outcome: 'dropped', reason: 'no-route' });
  });

  it('in reject mode the unroutable private address fails fast instead', () => {
    const { net } = newNetwork('reject');
    const caller = addHome(net, A_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent'));
    expect(net.route(caller.host, null, '10.9.9.9', SERVER_PORT, 0)).toEqual({ outcome: 'rejected', reason: 'no-route', oneWayMs: WAN_LINK.latencyMs });
  });
});

describe('CGNAT (NAT behind NAT)', () => {
  it("the relay sees the carrier address; the home router's WAN address is unreachable from the Internet", () => {
    const { net } = newNetwork();
    const carrier = net.createRealm();
    net.addNat(carrier, INTERNET_REALM, '192.0.2.1', behaviour('endpoint-independent', 'endpoint-independent', { portPreservation: false }));
    const home = net.createRealm();
    net.addNat(home, carrier, '100.64.0.7', behaviour('endpoint-independent', 'endpoint-independent'));
    const peer = net.addHost({ realm: home, ipv4: '192.168.1.10', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    const atRelay = net.route(peer, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    expect(atRelay).toMatchObject({ outcome: 'delivered', seenAddress: '192.0.2.1', natsCrossed: 2 });
    expect(net.publicIpv4Of(peer)).toBe('192.0.2.1');
    const outsider = addHome(net, A_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent'));
    expect(net.route(outsider.host, null, '100.64.0.7', SERVER_PORT, 1)).toEqual({ outcome: 'dropped', reason: 'no-route' });
    // Through both EIM/EIF boxes, at the carrier's port, it gets in; at the announced port it does not.
    if (atRelay.outcome !== 'delivered') throw new Error('unreachable');
    expect(net.route(outsider.host, null, '192.0.2.1', atRelay.seenPort, 1)).toMatchObject({ outcome: 'delivered', host: peer });
    expect(net.route(outsider.host, null, '192.0.2.1', SERVER_PORT, 1).outcome).toBe('dropped');
  });
});

describe('IPv6 and public hosts', () => {
  it.each([
    { firewall: false, pinhole: false, expected: 'delivered' },
    { firewall: true, pinhole: false, expected: 'dropped' },
    { firewall: true, pinhole: true, expected: 'delivered' },
  ])('IPv6 host, firewall $firewall, pinhole $pinhole: $expected', ({ firewall, pinhole, expected }) => {
    const { net, relay } = newNetwork();
    const realm = net.createRealm();
    const host = net.addHost({ realm, ipv4: null, ipv6: '2001:db8:1::5', ipv6Firewall: firewall, link: WAN_LINK });
    if (pinhole) net.addIpv6Pinhole(host, SERVER_PORT);
    expect(net.route(relay, null, '2001:db8:1::5', SERVER_PORT, 0).outcome).toBe(expected);
  });

  it('a stateful IPv6 firewall admits a remote the host has sent to from that port', () => {
    const { net, relay } = newNetwork();
    const host = net.addHost({ realm: net.createRealm(), ipv4: null, ipv6: '2001:db8:1::5', ipv6Firewall: true, link: WAN_LINK });
    net.route(host, SERVER_PORT, '2001:db8::10', RELAY_PORT, 0);
    expect(net.route(relay, null, '2001:db8:1::5', SERVER_PORT, 1).outcome).toBe('delivered');
    expect(net.route(relay, null, '2001:db8:1::5', SERVER_PORT, 1 + HOUR_MS).outcome).toBe('dropped');
  });

  it('an IPv6-only host cannot dial IPv4 and an IPv4-only host cannot dial IPv6: both fail at once even in drop mode', () => {
    const { net } = newNetwork('drop');
    const v6only = net.addHost({ realm: net.createRealm(), ipv4: null, ipv6: '2001:db8:1::5', ipv6Firewall: false, link: WAN_LINK });
    const v4only = addHome(net, A_EXTERNAL, behaviour('endpoint-independent', 'endpoint-independent'));
    expect(net.route(v6only, null, RELAY_ADDRESS, RELAY_PORT, 0)).toEqual({ outcome: 'rejected', reason: 'no-ipv4', oneWayMs: 0 });
    expect(net.route(v4only.host, null, '2001:db8:1::5', SERVER_PORT, 0)).toEqual({ outcome: 'rejected', reason: 'no-ipv6', oneWayMs: 0 });
  });

  it('public hosts reach each other directly across both access links', () => {
    const { net, relay } = newNetwork();
    const server = net.addHost({ realm: INTERNET_REALM, ipv4: '203.0.113.20', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    expect(net.route(relay, null, '203.0.113.20', SERVER_PORT, 0)).toMatchObject({ outcome: 'delivered', host: server, oneWayMs: 40, seenAddress: RELAY_ADDRESS });
  });
});

describe('links, churn and renumbering', () => {
  it('a lossy link drops; a jittery one stays within latency + jitter, deterministically', () => {
    const { net, relay } = newNetwork();
    const lossy = net.addHost({ realm: INTERNET_REALM, ipv4: '203.0.113.30', ipv6: null, ipv6Firewall: false, link: { latencyMs: 5, jitterMs: 0, lossRatio: 1 } });
    expect(net.route(relay, null, '203.0.113.30', SERVER_PORT, 0)).toEqual({ outcome: 'dropped', reason: 'lost' });
    expect(net.route(lossy, null, RELAY_ADDRESS, RELAY_PORT, 0)).toEqual({ outcome: 'dropped', reason: 'lost' });
    const jittery = net.addHost({ realm: INTERNET_REALM, ipv4: '203.0.113.31', ipv6: null, ipv6Firewall: false, link: { latencyMs: 5, jitterMs: 10, lossRatio: 0 } });
    const delays = Array.from({ length: 50 }, () => {
      const r = net.route(jittery, null, RELAY_ADDRESS, RELAY_PORT, 0);
      return r.outcome === 'delivered' ? r.oneWayMs : -1;
    });
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(25);
    expect(Math.max(...delays)).toBeLessThan(35);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('a detached host and a renumbered NAT stop answering at their old addresses', () => {
    const { net, relay } = newNetwork();
    const eif = behaviour('endpoint-independent', 'endpoint-independent');
    const home = addHome(net, B_EXTERNAL, eif);
    net.route(home.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 0);
    net.renumberNat(net.uplinkOf(home.realm)!, '198.51.100.99');
    expect(net.route(relay, null, B_EXTERNAL, SERVER_PORT, 1)).toEqual({ outcome: 'dropped', reason: 'no-route' });
    expect(net.route(relay, null, '198.51.100.99', SERVER_PORT, 1)).toEqual({ outcome: 'dropped', reason: 'no-mapping' });
    net.route(home.host, SERVER_PORT, RELAY_ADDRESS, RELAY_PORT, 2);
    expect(net.route(relay, null, '198.51.100.99', SERVER_PORT, 3).outcome).toBe('delivered');
    const server = net.addHost({ realm: INTERNET_REALM, ipv4: '203.0.113.20', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    net.detachHost(server);
    expect(net.route(relay, null, '203.0.113.20', SERVER_PORT, 4)).toEqual({ outcome: 'dropped', reason: 'no-route' });
    net.attachHost(server);
    expect(net.route(relay, null, '203.0.113.20', SERVER_PORT, 5)).toMatchObject({ outcome: 'delivered', host: server });
  });
});
