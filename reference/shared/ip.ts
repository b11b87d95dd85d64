/**
 * IP literal parsing and classification, shared by the relay (validation),
 * the peer (local-first ordering) and the simulator. Pure string work.
 */
export type AddressKind =
  | 'loopback'
  | 'private-v4' // RFC 1918
  | 'cgnat-v4' // RFC 6598 100.64.0.0/10
  | 'link-local-v4'
  | 'public-v4'
  | 'loopback-v6'
  | 'link-local-v6'
  | 'ula-v6' // fc00::/7
  | 'global-v6'
  | 'other';

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * Dotted quad with no leading zeros, each octet 0..255. Read char by char:
 * the relay validates every announced address (SPEC READY-3) and the
 * simulator routes every dial through here, and a split with four regex
 * tests cost more than the rest of either.
 */
export function parseIPv4(text: string): number | null {
  const length = text.length;
  if (length < 7 || length > 15) return null;
  let value = 0;
  let at = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(at) !== DOT) return null;
      at++;
    }
    const first = text.charCodeAt(at);
    if (!(first >= ZERO && first <= NINE)) return null;
    let octet = first - ZERO;
    let digits = 1;
    for (at++; at < length; at++) {
      const code = text.charCodeAt(at);
      if (!(code >= ZERO && code <= NINE)) break;
      if (octet === 0 || ++digits > 3) return null; // a leading zero, or a fourth digit
      octet = octet * 10 + (code - ZERO);
    }
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return at === length ? value : null;
}

/** Eight 16-bit groups, or null. Accepts `::` compression and an embedded IPv4 tail; no zone ids. */
export function parseIPv6(text: string): number[] | null {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return null;
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.slice(lastColon + 1).includes('.')) {
    // Embedded IPv4 tail (::ffff:192.0.2.1): rewrite it as two hex groups.
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (v4 === null) return null;
    body = `${body.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const left = parseHexGroups(halves[0] ?? '');
  if (left === null) return null;
  if (halves.length === 1) return left.length === 8 ? left : null;
  const right = parseHexGroups(halves[1] ?? '');
  if (right === null) return null;
  const missing = 8 - left.length - right.length;
  if (missing < 1) return null;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}

/** Colon-separated groups of 1 to 4 hex digits ('' is none), read char by char as parseIPv4 is. */
function parseHexGroups(s: string): number[] | null {
  const out: number[] = [];
  if (s === '') return out;
  let group = 0;
  let digits = 0;
  for (let at = 0; at <= s.length; at++) {
    if (at === s.length || s.charCodeAt(at) === COLON) {
      if (digits === 0) return null;
      out.push(group);
      group = 0;
      digits = 0;
      continue;
    }
    const nibble = hexValue(s.charCodeAt(at));
    if (nibble < 0 || ++digits > 4) return null;
    group = group * 16 + nibble;
  }
  return out;
}

const COLON = 58;

function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  const lower = code | 0x20; // A-F to a-f
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

export function ipVersion(text: string): 4 | 6 | null {
  if (parseIPv4(text) !== null) return 4;
  if (parseIPv6(text) !== null) return 6;
  return null;
}

export function classifyAddress(text: string): AddressKind {
  const v4 = parseIPv4(text);
  if (v4 !== null) return classifyV4(v4);
  const v6 = parseIPv6(text);
  if (v6 === null) return 'other';
  const [g0 = 0] = v6;
  if (v6.every((g, i) => (i < 7 ? g === 0 : g === 1))) return 'loopback-v6';
  // IPv4-mapped ::ffff:a.b.c.d behaves as its IPv4 address.
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return classifyV4((v6[6] ?? 0) * 65536 + (v6[7] ?? 0));
  }
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local-v6';
  if ((g0 & 0xfe00) === 0xfc00) return 'ula-v6';
  if ((g0 & 0xe000) === 0x2000) return 'global-v6';
  return 'other';
}

function classifyV4(v: number): AddressKind {
  const a = Math.floor(v / 16777216);
  const b = Math.floor(v / 65536) % 256;
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private-v4';
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat-v4';
  if (a === 169 && b === 254) return 'link-local-v4';
  if (a === 0 || a >= 224) return 'other';
  return 'public-v4';
}
