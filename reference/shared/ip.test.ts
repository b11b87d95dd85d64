import { describe, expect, it } from 'vitest';
import { classifyAddress, ipVersion, parseIPv6 } from './ip.ts';

describe('ip literals', () => {
  it.each([
    ['192.168.1.50', 'private-v4'],
    ['10.0.0.1', 'private-v4'],
    ['172.16.0.1', 'private-v4'],
    ['172.32.0.1', 'public-v4'],
    ['100.64.1.1', 'cgnat-v4'],
    ['127.0.0.1', 'loopback'],
    ['203.0.113.7', 'public-v4'],
    ['::1', 'loopback-v6'],
    ['fe80::1', 'link-local-v6'],
    ['fd12:3456::1', 'ula-v6'],
    ['2001:db8::1', 'global-v6'],
    ['::ffff:192.168.0.1', 'private-v4'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', 'a::b::c', 'fe80::1%eth0', 'example.com', '1:2:3:4:5:6:7:8:9', ' 1.2.3.4'])(
    'rejects %j',
    (text) => {
      expect(ipVersion(text)).toBeNull();
    },
  );

  it('expands compressed and mixed forms', () => {
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
