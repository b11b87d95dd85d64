/**
 * Payload rules for each endpoint. The shapes are the zod schemas in
 * ../api-schema/request-schemas.ts (the OpenAPI document is generated from
 * the same objects); this module maps their issues to the protocol's error
 * codes and the relay's messages, field by field in a fixed order, so a
 * body with several problems is answered about the same one as always.
 * Each check returns the parsed value or a RelayResponse describing the
 * first problem, so the core reads as a straight line of checks.
 */
import type * as z from 'zod';
import type { ErrorCode } from '../../shared/errors.ts';
import { RELAY_LIMITS, TEST_CLOCK_LIMITS } from '../../shared/protocol.ts';
import { clockAdvanceBody, lookupEmailParam, listLimitParam, nestingDepth, PORT_RANGE, readyBody, registerBody, renewBody } from '../api-schema/request-schemas.ts';
import { fail } from './result.ts';
import type { RelayResponse } from './types.ts';

export { nestingDepth } from '../api-schema/request-schemas.ts';

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

/** How one body member's issues are answered: its code, and the message from the value sent and zod's issue. */
interface FieldRule {
  field: string;
  code: ErrorCode;
  message: (value: unknown, issue: z.core.$ZodIssue) => string;
}

/** The answer about the first field, in `rules` order, that has an issue (zod reports every field). */
function firstFieldProblem(issues: readonly z.core.$ZodIssue[], rules: readonly FieldRule[], body: Record<string, unknown>): RelayResponse {
  for (const rule of rules) {
    const issue = issues.find((i) => i.path[0] === rule.field);
    if (issue) return fail(rule.code, rule.message(body[rule.field], issue));
  }
  // Unreachable while every schema field has a rule; never a 500 if one is forgotten.
  return fail('invalid_body', issues[0]?.message ?? 'request body is not acceptable');
}

const certificateRule: FieldRule = { field: 'certificate', code: 'invalid_certificate', message: () => '"certificate" must be a PEM-encoded X.509 certificate string' };

// Checked once normalised: that form is stored and later listed, looked up and put in cursors (SPEC REG-5, REG-6).
const REGISTER_RULES: readonly FieldRule[] = [{ field: 'email', code: 'invalid_email', message: () => '"email" must be an email address string' }, certificateRule];

const RENEW_RULES: readonly FieldRule[] = [certificateRule, { field: 'email', code: 'invalid_email', message: () => '"email", when sent, must be an email address string' }];

const READY_RULES: readonly FieldRule[] = [
  { field: 'port', code: 'invalid_port', message: (port) => `"port" must be an integer from ${PORT_RANGE.min} to ${PORT_RANGE.max}, got ${describe(port)}` },
  { field: 'addresses', code: 'invalid_addresses', message: addressesMessage },
  // The limits' issues carry the relay's text (request-schemas.ts); any other issue is the type.
  { field: 'capabilities', code: 'invalid_capabilities', message: (_, issue) => (issue.code === 'custom' ? issue.message : '"capabilities" must be a JSON object when present') },
];

/** SPEC READY-3: zod checks the count before the items, as the relay always has. */
function addressesMessage(addresses: unknown, issue: z.core.$ZodIssue): string {
  const index = issue.path[1];
  if (typeof index === 'number') {
    return `"addresses"[${index}] is not an IPv4 or IPv6 literal: ${describe((addresses as unknown[])[index])}`;
  }
  if (issue.code === 'too_big') {
    return `"addresses" holds ${(addresses as unknown[]).length} entries; at most ${RELAY_LIMITS.maxAddresses} are allowed`;
  }
  return '"addresses" must be a non-empty array of IP address strings';
}

export interface RegisterPayload {
  certificatePem: string;
  email: string;
}

export function checkRegisterPayload(body: Record<string, unknown>): Checked<RegisterPayload> {
  const parsed = registerBody.safeParse(body);
  if (!parsed.success) return reject(firstFieldProblem(parsed.error.issues, REGISTER_RULES, body));
  return accept({ certificatePem: parsed.data.certificate, email: parsed.data.email });
}

/** SPEC EXT-1: `{"certificate": PEM}`; an `email`, when sent, must be the caller's own (checked by the core). */
export function checkRenewPayload(body: Record<string, unknown>): Checked<{ certificatePem: string; email: string | null }> {
  const parsed = renewBody.safeParse(body);
  if (!parsed.success) return reject(firstFieldProblem(parsed.error.issues, RENEW_RULES, body));
  return accept({ certificatePem: parsed.data.certificate, email: parsed.data.email ?? null });
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
  const parsed = readyBody.safeParse(body);
  if (!parsed.success) return reject(firstFieldProblem(parsed.error.issues, READY_RULES, body));
  // Every problem the scan finds is about a top-level "capabilities" member, and JSON.parse would have
  // made one from any key spelling it (escapes included): without one there is nothing to scan for.
  if (typeof bodyText === 'string' && Object.hasOwn(body, 'capabilities')) {
    const problem = capabilitiesRoundTripProblem(bodyText);
    if (problem !== null) return reject(fail('invalid_capabilities', `"capabilities" would not be returned as sent: ${problem}`));
  }
  // zod's addresses are a fresh array, kept exactly as sent, order and duplicates included: clients try
  // them in this order (SPEC READY-4). The capabilities are the object as sent: zod's copy leaves out an
  // own "__proto__" member, which must come back too (READY-5).
  const capabilities = parsed.data.capabilities === undefined ? null : (body.capabilities as Record<string, unknown>);
  return accept({ port: parsed.data.port, addresses: parsed.data.addresses, capabilities });
}

/** SPEC LIST-4: `limit` defaults to 100, at most 1000. */
export function checkListLimit(raw: string | null): Checked<number> {
  const parsed = listLimitParam.safeParse(raw ?? undefined);
  if (parsed.success) return accept(parsed.data);
  // Digits that are out of range are shown as the number read; anything else as sent.
  const shown = parsed.error.issues[0]?.code === 'invalid_format' ? `"${raw}"` : String(Number(raw));
  return reject(fail('invalid_limit', `"limit" must be an integer from 1 to ${RELAY_LIMITS.maxListLimit}, got ${shown}`));
}

/** SPEC LOOKUP-4: the normalised email to look up (the form registration stored, REG-6). */
export function checkLookupEmail(raw: string | null): Checked<string> {
  const parsed = lookupEmailParam.safeParse(raw ?? undefined);
  if (parsed.success) return accept(parsed.data);
  const issue = parsed.error.issues[0];
  if (raw === null || issue?.code === 'invalid_type' || (issue?.code === 'custom' && issue.params?.missing === true)) {
    return reject(fail('missing_email', 'the "email" query parameter is required'));
  }
  return reject(fail('invalid_email', `"${raw.slice(0, 80)}" is not an email address`));
}

/** SPEC TEST-1, TEST-2: the seconds to move the clock by (the total is the core's check). */
export function checkClockAdvance(body: Record<string, unknown>): Checked<number> {
  const parsed = clockAdvanceBody.safeParse(body);
  if (parsed.success) return accept(parsed.data.advance_seconds);
  return reject(fail('invalid_clock_advance', `"advance_seconds" must be a positive number of seconds, at most ${TEST_CLOCK_LIMITS.maxStepSeconds} (ten years)`));
}

/** A short rendering of a client's value for an error message; never throws, whatever the value. */
function describe(value: unknown): string {
  if (nestingDepth(value) > 8) return Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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
