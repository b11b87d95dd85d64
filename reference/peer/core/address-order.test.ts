import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../shared/ip.ts';
import { orderAddresses, sameAddressList } from './address-order.ts';

const iface = (...addresses: string[]) => addresses.map((address) => ({ address }));

describe('orderAddresses', () => {
  it('puts private IPv4, then ULA, then global IPv6, then public addresses', () => {
    const ordered = orderAddresses(iface('2001:db8::5', '203.0.113.9', 'fe80::1', 'fd00::7', '192.168.1.50', '127.0.0.1', '10.0.0.2', '::1'), ['198.51.100.4']);
    expect(ordered).toEqual(['192.168.1.50', '10.0.0.2', 'fd00::7', '2001:db8::5', '198.51.100.4', '203.0.113.9']);
  });

  it('includes loopback, last, only when asked', () => {
    expect(orderAddresses(iface('::1', '127.0.0.1', '10.1.1.1'), [], { includeLoopback: true })).toEqual(['10.1.1.1', '127.0.0.1', '::1']);
    expect(orderAddresses(iface('::1', '127.0.0.1'), [])).toEqual([]);
  });

  it('drops link-local, zone ids and junk, de-duplicates, and caps at 16', () => {
    expect(orderAddresses(iface('169.254.3.3', 'fe80::1%eth0', 'not-an-ip', '10.0.0.1', '10.0.0.1'), ['nope', '10.0.0.1'])).toEqual(['10.0.0.1']);
    const many = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`);
    expect(orderAddresses(iface(...many), [])).toEqual(many.slice(0, 16));
  });

  it('is a stable sort by class (property)', () => {
    const rank: Record<string, number> = { 'private-v4': 0, 'ula-v6': 1, 'global-v6': 2, 'public-v4': 3, 'cgnat-v4': 3, loopback: 5, 'loopback-v6': 6 };
    const address = fc.oneof(
      fc.ipV4(),
      fc.constantFrom('10.0.0.1', '10.0.0.2', '192.168.0.9', 'fd00::1', 'fd00::2', '2001:db8::1', '2001:db8::2', 'fe80::9', '::1', '100.64.0.1'),
    );
    fc.assert(
      fc.property(fc.array(address, { maxLength: 30 }), fc.boolean(), (addresses, includeLoopback) => {
        const out = orderAddresses(iface(...addresses), [], { includeLoopback, maxAddresses: 1000 });
        const expected = [...new Set(addresses)].filter((a) => rank[classifyAddress(a)] !== undefined && (includeLoopback || rank[classifyAddress(a)]! < 5));
        expected.sort((a, b) => rank[classifyAddress(a)]! - rank[classifyAddress(b)]!);
        expect(out).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps configured public addresses when there are more than 16 (finding 16)', () => {
    const many = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`);
    expect(orderAddresses(iface(...many, '203.0.113.9'), ['198.51.100.4', '2001:db8::4'])).toEqual([...many.slice(0, 14), '198.51.100.4', '2001:db8::4']);
    // A configured address that is also on an interface keeps its better place, and its slot.
    expect(orderAddresses(iface(...many), ['10.0.0.20'], { maxAddresses: 3 })).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.20']);
  });

  it('never cuts a configured public address; cuts interface addresses from the end (property)', () => {
    const ifaceAddress = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('10.0.0.1', '192.168.0.9', 'fd00::1', '2001:db8::1', '100.64.0.1', '198.51.100.7'));
    const publicAddress = fc.oneof(fc.ipV4(), fc.constantFrom('198.51.100.7', '203.0.113.1', '2001:db8::9', '10.0.0.1'));
    fc.assert(
      fc.property(fc.array(ifaceAddress, { maxLength: 40 }), fc.array(publicAddress, { maxLength: 6 }), fc.integer({ min: 0, max: 20 }), (addresses, publics, max) => {
        const all = orderAddresses(iface(...addresses), publics, { maxAddresses: 1000 });
        const out = orderAddresses(iface(...addresses), publics, { maxAddresses: max });
        const configured = [...new Set(publics.map((p) => p.toLowerCase()))];
        expect(out.length).toBe(Math.min(max, all.length));
        // Order kept: the result is a subsequence of the uncut announcement.
        let at = 0;
        for (const a of out) {
          at = all.indexOf(a, at);
          expect(at).toBeGreaterThanOrEqual(0);
          at++;
        }
        // Every configured address survives (the first `max` of them, in announced order, if even those do not fit).
        const keptConfigured = all.filter((a) => configured.includes(a)).slice(0, max);
        for (const a of keptConfigured) expect(out).toContain(a);
        // The other slots go to the best interface addresses.
        const others = all.filter((a) => !configured.includes(a));
        expect(out.filter((a) => !configured.includes(a))).toEqual(others.slice(0, max - keptConfigured.length));
      }),
      { numRuns: 400 },
    );
  });

  it('compares announcements by order as well as content', () => {
    expect(sameAddressList(['10.0.0.1', 'fd00::1'], ['10.0.0.1', 'fd00::1'])).toBe(true);
    expect(sameAddressList(['fd00::1', '10.0.0.1'], ['10.0.0.1', 'fd00::1'])).toBe(false);
    expect(sameAddressList(['10.0.0.1'], ['10.0.0.1', 'fd00::1'])).toBe(false);
  });
});
