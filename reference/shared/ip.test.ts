import { describe, expect, it } from 'vitest';
import { nextInt, SeededRng } from './rng.ts';
import { classifyAddress, ipVersion, parseIPv6, parseIPv4 } from './ip.ts';

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

/** SPEC READY-3's dotted quad written as plainly as it reads: the oracle for the char-by-char parser. */
function dottedQuadOracle(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((value, p) => value * 256 + Number(p), 0);
}

describe('parseIPv4', () => {
  it('answers as the plain reading of a dotted quad on edge cases', () => {
    const cases = ['0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '1.2.3.0', '1..3.4', '.1.2.3', '1.2.3.4.', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4\n', '1.2.3.-4', '1.2.3.+4', '1e2.0.0.1', '1000.1.1.1', '192.168.1.10', '2001:db8::1', '::ffff:1.2.3.4', '', '1.2.3.\u0663', '\u0967.2.3.4', '10.0.0.1x', '12.345.1.1', '00.0.0.0', '0.0.0.00'];
    for (const text of cases) expect(parseIPv4(text), JSON.stringify(text)).toBe(dottedQuadOracle(text));
  });

  it('answers as the plain reading on 50,000 random strings over digits and dots', () => {
    const rng = new SeededRng(7);
    const alphabet = '0123456789..2515';
    for (let i = 0; i < 50_000; i++) {
      let text = '';
      const length = nextInt(rng, 17);
      for (let j = 0; j < length; j++) text += alphabet[nextInt(rng, alphabet.length)];
      expect(parseIPv4(text), text).toBe(dottedQuadOracle(text));
    }
  });
});

/** The groups as first written (split and a regex per group), the oracle for the char-by-char reader. */
function parseIPv6Oracle(text: string): number[] | null {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return null;
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.slice(lastColon + 1).includes('.')) {
    const v4 = dottedQuadOracle(body.slice(lastColon + 1));
    if (v4 === null) return null;
    body = `${body.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const groups = (half: string) => (half === '' ? [] : half.split(':').every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? half.split(':').map((g) => parseInt(g, 16)) : null);
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const left = groups(halves[0] ?? '');
  if (left === null) return null;
  if (halves.length === 1) return left.length === 8 ? left : null;
  const right = groups(halves[1] ?? '');
  if (right === null) return null;
  const missing = 8 - left.length - right.length;
  return missing < 1 ? null : [...left, ...new Array<number>(missing).fill(0), ...right];
}

describe('parseIPv6', () => {
  it('answers as the split-and-regex reading on 100,000 random strings over hex digits, colons and dots', () => {
    const rng = new SeededRng(11);
    const alphabet = '0123456789abcdefABCDEFg::::..%';
    for (let i = 0; i < 100_000; i++) {
      let text = '';
      const length = nextInt(rng, 30);
      for (let j = 0; j < length; j++) text += alphabet[nextInt(rng, alphabet.length)];
      expect(parseIPv6(text), text).toEqual(parseIPv6Oracle(text));
    }
    for (const text of ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', 'fe80::1', '12345::', ':1::', '1:::2', 'g::1']) {
      expect(parseIPv6(text), text).toEqual(parseIPv6Oracle(text));
    }
  });
});
