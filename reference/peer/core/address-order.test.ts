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

  it('compares announcements by order as well as content', () => {
    expect(sameAddressList(['10.0.0.1', 'fd00::1'], ['10.0.0.1', 'fd00::1'])).toBe(true);
    expect(sameAddressList(['fd00::1', '10.0.0.1'], ['10.0.0.1', 'fd00::1'])).toBe(false);
    expect(sameAddressList(['10.0.0.1'], ['10.0.0.1', 'fd00::1'])).toBe(false);
  });
});
