/**
 * Payload rules for each endpoint. Each validator returns the parsed value
 * or a RelayResponse describing the first problem, so the core reads as a
 * straight line of checks.
 */
import { normalizeValidEmail } from '../../shared/email.ts';
import { ipVersion } from '../../shared/ip.ts';
import { fail } from './result.ts';
import { RELAY_LIMITS, type RelayResponse } from './types.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; response: RelayResponse };

const accept = <T>(value: T): Checked<T> => ({ ok: true, value });
const reject = <T>(response: RelayResponse): Checked<T> => ({ ok: false, response });

/** SPEC ERR-2: malformed JSON is a 400, never a 500. */
export function parseJsonObject(bodyText: string | null): Checked<Record<string, unknown>> {
  if (bodyText === null || bodyText.trim() === '') return reject(fail('invalid_body', 'request body must be a JSON object'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch (error) {
    return reject(fail('invalid_json', `request body is not valid JSON: ${(error as Error).message}`));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject(fail('invalid_body', 'request body must be a JSON object'));
  }
  return accept(parsed as Record<string, unknown>);
}

export interface RegisterPayload {
  certificatePem: string;
  email: string;
}

export function checkRegisterPayload(body: Record<string, unknown>): Checked<RegisterPayload> {
  const { certificate } = body;
  // Checked once normalised: that form is stored and later listed, looked up and put in cursors (SPEC REG-5, REG-6).
  const email = normalizeValidEmail(body.email);
  if (email === null) {
    return reject(fail('invalid_email', '"email" must be an email address string'));
  }
  if (typeof certificate !== 'string' || certificate.length === 0) {
    return reject(fail('invalid_certificate', '"certificate" must be a PEM-encoded X.509 certificate string'));
  }
  return accept({ certificatePem: certificate, email });
}

/** SPEC EXT-1: `{"certificate": PEM}`; an `email`, when sent, must be the caller's own (checked by the core). */
export function checkRenewPayload(body: Record<string, unknown>): Checked<{ certificatePem: string; email: string | null }> {
  const { certificate } = body;
  if (typeof certificate !== 'string' || certificate.length === 0) {
    return reject(fail('invalid_certificate', '"certificate" must be a PEM-encoded X.509 certificate string'));
  }
  if (body.email === undefined) return accept({ certificatePem: certificate, email: null });
  const email = normalizeValidEmail(body.email);
  if (email === null) return reject(fail('invalid_email', '"email", when sent, must be an email address string'));
  return accept({ certificatePem: certificate, email });
}

export interface ReadyPayload {
  port: number;
  addresses: string[];
  capabilities: Record<string, unknown> | null;
}

/**
 * SPEC READY-2..READY-5. `bodyText` is the raw body `body` was parsed from: the
 * capabilities must come back unchanged, so they are also checked as sent.
 */
export function checkReadyPayload(body: Record<string, unknown>, bodyText?: string | null): Checked<ReadyPayload> {
  const { port, addresses, capabilities } = body;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return reject(fail('invalid_port', `"port" must be an integer from 1 to 65535, got ${describe(port)}`));
  }
  const addressCheck = checkAddresses(addresses);
  if (!addressCheck.ok) return reject(addressCheck.response);
  const capabilityCheck = checkCapabilities(capabilities);
  if (!capabilityCheck.ok) return reject(capabilityCheck.response);
  if (typeof bodyText === 'string') {
    const problem = capabilitiesRoundTripProblem(bodyText);
    if (problem !== null) return reject(fail('invalid_capabilities', `"capabilities" would not be returned as sent: ${problem}`));
  }
  return accept({ port, addresses: addressCheck.value, capabilities: capabilityCheck.value });
}

function checkAddresses(addresses: unknown): Checked<string[]> {
  if (!Array.isArray(addresses) || addresses.length === 0) {
    return reject(fail('invalid_addresses', '"addresses" must be a non-empty array of IP address strings'));
  }
  if (addresses.length > RELAY_LIMITS.maxAddresses) {
    return reject(fail('invalid_addresses', `"addresses" holds ${addresses.length} entries; at most ${RELAY_LIMITS.maxAddresses} are allowed`));
  }
  for (const [index, address] of addresses.entries()) {
    if (typeof address !== 'string' || ipVersion(address) === null) {
      return reject(fail('invalid_addresses', `"addresses"[${index}] is not an IPv4 or IPv6 literal: ${describe(address)}`));
    }
  }
  // Kept exactly as sent, order and duplicates included: clients try them in this order (SPEC READY-4).
  return accept([...(addresses as string[])]);
}

function checkCapabilities(capabilities: unknown): Checked<Record<string, unknown> | null> {
  if (capabilities === undefined) return accept(null);
  if (typeof capabilities !== 'object' || capabilities === null || Array.isArray(capabilities)) {
    return reject(fail('invalid_capabilities', '"capabilities" must be a JSON object when present'));
  }
  if (nestingDepth(capabilities) > RELAY_LIMITS.maxCapabilitiesDepth) {
    return reject(fail('invalid_capabilities', `"capabilities" nests deeper than ${RELAY_LIMITS.maxCapabilitiesDepth} levels`));
  }
  const size = Buffer.byteLength(JSON.stringify(capabilities), 'utf8');
  if (size > RELAY_LIMITS.maxCapabilitiesBytes) {
    return reject(fail('invalid_capabilities', `"capabilities" is ${size} bytes of JSON; at most ${RELAY_LIMITS.maxCapabilitiesBytes} are allowed`));
  }
  return accept(capabilities as Record<string, unknown>);
}

/** SPEC LIST-4: `limit` defaults to 100, at most 1000. */
export function checkListLimit(raw: string | null): Checked<number> {
  if (raw === null) return accept(RELAY_LIMITS.defaultListLimit);
  if (!/^[0-9]{1,7}$/.test(raw)) return reject(fail('invalid_limit', `"limit" must be an integer from 1 to ${RELAY_LIMITS.maxListLimit}, got "${raw}"`));
  const limit = Number(raw);
  if (limit < 1 || limit > RELAY_LIMITS.maxListLimit) {
    return reject(fail('invalid_limit', `"limit" must be an integer from 1 to ${RELAY_LIMITS.maxListLimit}, got ${limit}`));
  }
  return accept(limit);
}

/** A short rendering of a client's value for an error message; never throws, whatever the value. */
function describe(value: unknown): string {
  if (nestingDepth(value) > 8) return Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Depth of nested arrays/objects, iteratively: a hostile body cannot overflow the stack here. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > 1000) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Why the top-level "capabilities" member of this JSON text would not come
 * back as sent once parsed and re-serialised (SPEC READY-5), or null: a
 * number JSON.parse rounds, overflows or underflows (`1e400` becomes null,
 * 2^53+1 becomes 2^53, `-0` becomes 0), a duplicate key (JSON.parse keeps only
 * the last), or "capabilities" itself given twice. Scans the raw text once,
 * iteratively, so depth costs no stack; expects text JSON.parse accepted.
 */
export function capabilitiesRoundTripProblem(text: string): string | null {
  // One frame per open container; `keys` is set on objects whose keys are checked.
  type Frame = { object: boolean; inCapabilities: boolean; keys: Set<string> | null; expectKey: boolean };
  const stack: Frame[] = [];
  let pendingKey: string | null = null;
  let capabilitiesSeen = false;
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return text.slice(start, i);
  };
  /** Whether the value now starting is inside the capabilities (or is them). */
  const valueInCapabilities = (): boolean => {
    const top = stack[stack.length - 1];
    if (!top) return false;
    if (top.inCapabilities) return true;
    return stack.length === 1 && pendingKey === 'capabilities';
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const c = text[i] as string;
    const top = stack[stack.length - 1];
    if (c === ',' || c === ':') {
      if (c === ',' && top?.object) top.expectKey = true;
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      stack.pop();
      pendingKey = null;
      i++;
      continue;
    }
    if (c === '"' && top?.object && top.expectKey) {
      const key = JSON.parse(readString()) as string;
      top.expectKey = false;
      if (top.keys) {
        if (top.keys.has(key)) return `the key ${JSON.stringify(key).slice(0, 80)} appears twice in one object (only the last would be kept)`;
        top.keys.add(key);
      }
      if (stack.length === 1 && key === 'capabilities') {
        if (capabilitiesSeen) return '"capabilities" is given twice (only the last would be kept)';
        capabilitiesSeen = true;
      }
      pendingKey = key;
      continue;
    }
    const inCapabilities = valueInCapabilities();
    pendingKey = null;
    if (c === '{' || c === '[') {
      const object = c === '{';
      stack.push({ object, inCapabilities, keys: object && inCapabilities ? new Set() : null, expectKey: object });
      i++;
      continue;
    }
    if (c === '"') {
      readString();
      continue;
    }
    const start = i;
    while (i < n && !' \t\n\r,:]}'.includes(text[i] as string)) i++;
    const literal = text.slice(start, i);
    if (inCapabilities && literal !== 'true' && literal !== 'false' && literal !== 'null') {
      const problem = numberRoundTripProblem(literal);
      if (problem !== null) return problem;
    }
  }
  return null;
}

/** Why a JSON number literal does not survive JSON.parse then JSON.stringify with its value, or null. */
export function numberRoundTripProblem(literal: string): string | null {
  const shown = literal.length > 40 ? `${literal.slice(0, 37)}...` : literal;
  const back = JSON.stringify(Number(literal));
  if (back === 'null') return `the number ${shown} is out of range (it would come back as null)`;
  const sent = decimalValue(literal);
  const returned = decimalValue(back);
  if (sent === null || returned === null) return `the number ${shown} cannot be read`;
  if (sent.negative !== returned.negative || sent.digits !== returned.digits || sent.exponent !== returned.exponent) {
    return `the number ${shown} cannot be held exactly (it would come back as ${back})`;
  }
  return null;
}

/** A JSON number as sign, significant digits (no leading or trailing zeros) and exponent; zero has digits ''. */
function decimalValue(literal: string): { negative: boolean; digits: string; exponent: bigint } | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return null;
  const [, sign = '', whole = '', fraction = '', exp = '0'] = m;
  let digits = whole + fraction;
  let exponent = BigInt(exp) - BigInt(fraction.length);
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return { negative: sign === '-', digits: '', exponent: 0n };
  digits = digits.slice(lead);
  const trimmed = digits.replace(/0+$/, '');
  exponent += BigInt(digits.length - trimmed.length);
  return { negative: sign === '-', digits: trimmed, exponent };
}
