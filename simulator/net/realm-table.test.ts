/**
 * A LAN realm keeps its first two IPv4 entries in its row and the rest in
 * an overflow map (network.ts). Whatever the mix of hosts added, renumbered,
 * detached and attached again, a dial on the LAN must reach exactly the
 * host a plain map of "address -> attached host" says, and an address held
 * by nobody must give no-route.
 */
import { describe, expect, it } from 'vitest';
import { nextInt, SeededRng } from '../../reference/shared/rng.ts';
import { INTERNET_REALM } from './network.ts';
import { behaviour, newNetwork, WAN_LINK } from './test-topology.ts';

const ADDRESSES = Array.from({ length: 6 }, (_, i) => `192.168.1.${10 + i}`);

describe('a LAN realm\'s address table', () => {
  it.each([3, 17, 40])('routes like a map under adds, renumbers, detaches and attaches (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const { net } = newNetwork('reject');
    const realm = net.createRealm();
    net.addNat(realm, INTERNET_REALM, '198.51.100.7', behaviour('endpoint-independent', 'endpoint-independent'));
    const probe = net.addHost({ realm, ipv4: '192.168.1.200', ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    const hosts: { id: number; address: string | null; attached: boolean }[] = [];
    const holderOf = (address: string) => hosts.find((h) => h.attached && h.address === address)?.id;
    const free = () => ADDRESSES.filter((a) => hosts.every((h) => h.address !== a));
    for (let step = 0; step < 400; step++) {
      const action = nextInt(rng, 4);
      const someone = hosts[nextInt(rng, Math.max(1, hosts.length))];
      const address = free()[0];
      if ((action === 0 || someone === undefined) && address !== undefined) {
        hosts.push({ id: net.addHost({ realm, ipv4: address, ipv6: null, ipv6Firewall: false, link: WAN_LINK }), address, attached: true });
      } else if (action === 1 && someone !== undefined) {
        const next = nextInt(rng, 3) === 0 ? null : (free()[nextInt(rng, Math.max(1, free().length))] ?? null);
        net.setHostIpv4(someone.id, next);
        someone.address = next;
      } else if (action === 2 && someone !== undefined) {
        net.detachHost(someone.id);
        someone.attached = false;
      } else if (someone !== undefined) {
        net.attachHost(someone.id);
        someone.attached = true;
      }
      for (const a of ADDRESSES) {
        const route = net.route(probe, null, a, 80, step);
        const expected = holderOf(a);
        if (expected === undefined) expect(route, `step ${step}: ${a}`).toMatchObject({ outcome: 'rejected', reason: 'no-route' });
        else expect(route, `step ${step}: ${a}`).toMatchObject({ outcome: 'delivered', host: expected });
      }
    }
    expect(hosts.length).toBeGreaterThan(2); // the overflow map was used
  });

  it('refuses a second holder of one address in one realm, wherever the first sits', () => {
    const { net } = newNetwork();
    const realm = net.createRealm();
    for (const a of ADDRESSES.slice(0, 4)) net.addHost({ realm, ipv4: a, ipv6: null, ipv6Firewall: false, link: WAN_LINK });
    for (const a of ADDRESSES.slice(0, 4)) expect(() => net.addHost({ realm, ipv4: a, ipv6: null, ipv6Firewall: false, link: WAN_LINK })).toThrow(/already in use/);
  });

  it('names a host or realm that does not exist', () => {
    const { net } = newNetwork();
    expect(() => net.hostRealm(99)).toThrow(RangeError);
    expect(() => net.route(99, null, '192.0.2.1', 80, 0)).toThrow(RangeError);
    expect(() => net.route(99, null, 'not an address', 80, 0)).toThrow(RangeError);
    expect(() => net.addHost({ realm: 5, ipv4: null, ipv6: null, ipv6Firewall: false, link: WAN_LINK })).toThrow(/no realm 5/);
  });
});
