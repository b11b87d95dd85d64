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

/** Dotted quad with no leading zeros, each octet 0..255. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
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

function parseHexGroups(s: string): number[] | null {
  if (s === '') return [];
  const out: number[] = [];
  for (const group of s.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    out.push(parseInt(group, 16));
  }
  return out;
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
