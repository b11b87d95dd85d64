/**
 * Input rules for the broadcast endpoints, written from SPEC.md alone.
 * Each check throws an HttpError with the SPEC code; nothing is stored
 * before every check has passed (SPEC ERR-7).
 */
import { isIP } from 'node:net';
import { HttpError } from './errors.ts';
import type { RelaySettings } from './options.ts';

const MAX_ADDRESSES = 16; // SPEC READY-3, READY-8 (inclusive)
const MAX_CAPABILITIES_BYTES = 4096; // SPEC READY-5, READY-8 (inclusive)
const MAX_LIST_LIMIT = 1000; // SPEC LIST-4
export const DEFAULT_LIST_LIMIT = 100; // SPEC LIST-4

// One @, a local part without spaces, quotes or control characters, a dotted host name.
const EMAIL_PATTERN = /^[^\s@"(),:;<>[\]\\\u0000-\u001f\u007f]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The lower-cased email (SPEC REG-6), or null when the value is not an email address. */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.toLowerCase();
  return email.length <= 254 && EMAIL_PATTERN.test(email) ? email : null;
}

/** SPEC READY-2: a JSON integer 1..65535; strings such as "8080" are refused. */
export function checkPort(value: unknown, settings: RelaySettings): number {
  if (settings.fractionalPort500) {
    // DEFECT fractionalPort500: "normalise for the int4 column" with BigInt, which throws on 3.5.
    if (typeof value !== 'number') throw new HttpError('invalid_port', 'port must be a number');
    const port = Number(BigInt(value));
    if (port < 1 || port > 65535) throw new HttpError('invalid_port', 'port must be between 1 and 65535');
    return port;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new HttpError('invalid_port', 'port must be an integer between 1 and 65535');
  }
  return value;
}

/** An IPv4 dotted quad without leading zeros (node's isIP refuses them) or an IPv6 literal without zone id. */
function isAddressLiteral(text: string): boolean {
  const family = isIP(text);
  if (family === 4) return true;
  // isIP accepts "fe80::1%eth0"; a zone id means nothing to a remote peer (SPEC READY-3).
  return family === 6 && !text.includes('%');
}

/** SPEC READY-3, READY-4: 1..16 IP literals, kept in the order sent, duplicates included. */
export function checkAddresses(value: unknown, settings: RelaySettings): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError('invalid_addresses', 'addresses must be a non-empty array');
  if (value.length > MAX_ADDRESSES) throw new HttpError('invalid_addresses', `at most ${MAX_ADDRESSES} addresses`);
  if (!value.every((entry): entry is string => typeof entry === 'string')) throw new HttpError('invalid_addresses', 'addresses must be strings');
  // DEFECT unvalidatedAddresses: any strings are stored as given.
  if (!settings.unvalidatedAddresses && !value.every(isAddressLiteral)) {
    throw new HttpError('invalid_addresses', 'each address must be an IPv4 or IPv6 literal');
  }
  return [...value];
}

/**
 * SPEC READY-5: optional; a JSON object of at most 4096 bytes of JSON.
 * Returned as a fresh copy so the stored value is exactly what was measured.
 */
export function checkCapabilities(value: unknown): Record<string, unknown> | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError('invalid_capabilities', 'capabilities must be a JSON object');
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // A 64 KiB body of nested brackets overflows JSON.stringify's stack; it is far over 4096 bytes anyway.
    throw new HttpError('invalid_capabilities', `capabilities must be at most ${MAX_CAPABILITIES_BYTES} bytes of JSON`);
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_CAPABILITIES_BYTES) {
    throw new HttpError('invalid_capabilities', `capabilities must be at most ${MAX_CAPABILITIES_BYTES} bytes of JSON`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** SPEC LIST-4: digits only ("1.5", "1e3", "" refused), 1..1000, default 100. */
export function checkLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_LIST_LIMIT;
  if (!/^[0-9]{1,4}$/.test(raw)) throw new HttpError('invalid_limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  const limit = Number(raw);
  if (limit < 1 || limit > MAX_LIST_LIMIT) throw new HttpError('invalid_limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  return limit;
}
