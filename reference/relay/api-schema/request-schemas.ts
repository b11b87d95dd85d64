/**
 * What clients send the relay, as zod schemas: the relay validates request
 * bodies and query parameters with these (core/validate.ts maps their
 * issues to the protocol's error codes and messages) and the OpenAPI
 * document is generated from the very same objects. Built once, at module
 * load; the relay only calls safeParse on them.
 *
 * Refinements JSON Schema cannot say (an IP literal as the relay parses it,
 * the nesting and byte limits of capabilities) carry a description, and the
 * nearest JSON Schema words where there are some.
 */
import * as z from 'zod';
import { isValidEmail, MAX_EMAIL_LENGTH, normalizeEmail } from '../../shared/email.ts';
import { ipVersion } from '../../shared/ip.ts';
import { RELAY_LIMITS, TEST_CLOCK_LIMITS } from '../../shared/protocol.ts';

/** A TCP port a peer listens on (SPEC READY-2). */
export const PORT_RANGE = { min: 1, max: 65535 } as const;

/**
 * SPEC REG-5, REG-6: trimmed and lower-cased first, then checked; the
 * output is that normalised form, the one stored, listed and looked up.
 */
export const emailAddress = z
  .string()
  .overwrite(normalizeEmail)
  .refine(isValidEmail)
  .meta({ description: `An email address: one "@", a local part without spaces or control characters, a dotted domain; compared case-insensitively (trimmed and lower-cased, then at most ${MAX_EMAIL_LENGTH} characters). Returned in lower case (SPEC REG-5, REG-6).` });

/** SPEC REG-2: the PEM text itself is judged by the certificate rules, after this shape check. */
export const certificatePem = z
  .string()
  .min(1)
  .meta({ description: 'One PEM-encoded X.509 CERTIFICATE block, self-signed, carrying the email in CN, SAN rfc822Name or subject emailAddress (SPEC REG-2..REG-11).' });

/** SPEC READY-3: an IPv4 dotted quad without leading zeros, or an IPv6 literal without zone id. */
export const ipLiteral = z
  .string()
  .refine((text) => ipVersion(text) !== null)
  .meta({ description: 'An IPv4 dotted quad without leading zeros, or an IPv6 literal without zone id (SPEC READY-3).', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] });

/** SPEC READY-3, READY-4: 1..16 literals, order and duplicates kept. */
export const addressList = z
  .array(ipLiteral)
  .min(1)
  .max(RELAY_LIMITS.maxAddresses)
  .meta({ description: `1 to ${RELAY_LIMITS.maxAddresses} IP literals, kept exactly as sent, order and duplicates included: peers try them in this order (SPEC READY-3, READY-4).` });

/**
 * SPEC READY-5: a JSON object of bounded size and depth. The limits are
 * checked on the object as sent, in a preprocess step: zod leaves an own
 * "__proto__" key out of what it outputs, and the relay stores what was
 * sent, so a check on zod's output would let a deep or large "__proto__"
 * member through. Depth first, iteratively, so the size check's
 * JSON.stringify never meets a hostile depth. Anything not an object falls
 * through to the record's type check.
 */
export const capabilitiesObject = z
  .preprocess(capabilityLimitsProblem, z.record(z.string(), z.unknown()))
  .meta({
    description: `Optional, free-form: a JSON object whose JSON encoding is at most ${RELAY_LIMITS.maxCapabilitiesBytes} bytes, nesting at most ${RELAY_LIMITS.maxCapabilitiesDepth} levels, and that a parse-and-serialise round trip leaves unchanged (no out-of-range numbers, integers above 2^53, -0 or duplicate keys). Returned unchanged by lookup (SPEC READY-5, ROB-5).`,
  });

function capabilityLimitsProblem(value: unknown, ctx: z.RefinementCtx): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (nestingDepth(value) > RELAY_LIMITS.maxCapabilitiesDepth) {
    ctx.addIssue({ code: 'custom', message: `"capabilities" nests deeper than ${RELAY_LIMITS.maxCapabilitiesDepth} levels` });
    return value;
  }
  const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size > RELAY_LIMITS.maxCapabilitiesBytes) {
    ctx.addIssue({ code: 'custom', message: `"capabilities" is ${size} bytes of JSON; at most ${RELAY_LIMITS.maxCapabilitiesBytes} are allowed` });
  }
  return value;
}

/** SPEC REG-1. */
export const registerBody = z.object({ certificate: certificatePem, email: emailAddress }).meta({ description: 'Unknown members are ignored.' });

/** SPEC EXT-1: the email, when sent, must be the caller's own (checked by the core against its identity). */
export const renewBody = z.object({ certificate: certificatePem, email: emailAddress.optional() }).meta({ description: 'The new certificate; "email", when sent, must be the registered email of the calling certificate. Unknown members are ignored.' });

/** SPEC READY-2..READY-7: unknown members are ignored (READY-7). */
export const readyBody = z
  .object({
    port: z.int().min(PORT_RANGE.min).max(PORT_RANGE.max).meta({ description: 'The TCP port the peer listens on: a JSON integer, not a string (SPEC READY-2).' }),
    addresses: addressList,
    capabilities: capabilitiesObject.optional(),
  })
  .meta({ description: 'Unknown members are ignored (SPEC READY-7).' });

/** Heartbeat and goodbye define no body; one that is sent must be a JSON object (SPEC ERR-2, EXT-2). */
export const optionalObjectBody = z.record(z.string(), z.unknown()).meta({ description: 'Optional; when sent, any JSON object (its members are ignored).' });

/** SPEC TEST-1, TEST-2. */
export const clockAdvanceBody = z.object({
  advance_seconds: z
    .number()
    .positive()
    .max(TEST_CLOCK_LIMITS.maxStepSeconds)
    .meta({ description: `Seconds to move the relay's clock forward: more than 0, at most ${TEST_CLOCK_LIMITS.maxStepSeconds} (ten years) per step, ${TEST_CLOCK_LIMITS.maxTotalMs / 1000} s (100 years) in total.` }),
});

/** SPEC LOOKUP-4: missing or blank is `missing_email` (the first stage), otherwise it must be an email. */
export const lookupEmailParam = z
  .string()
  .refine((text) => text.trim() !== '', { abort: true, params: { missing: true } })
  .pipe(emailAddress)
  .meta({ description: 'The email to look up, compared case-insensitively (SPEC LOOKUP-2, LOOKUP-4).' });

/** SPEC LIST-4: 1..1000 as decimal digits, 100 when absent. */
export const listLimitParam = z
  .string()
  .regex(/^[0-9]{1,7}$/)
  .transform(Number)
  .pipe(z.int().min(1).max(RELAY_LIMITS.maxListLimit))
  .default(RELAY_LIMITS.defaultListLimit)
  .meta({ description: `How many items at most, 1 to ${RELAY_LIMITS.maxListLimit} (SPEC LIST-4).` });

/** SPEC LIST-5, LIST-6: opaque; whether the relay issued it is the core's check (cursor.ts). */
export const listCursorParam = z.string().meta({ description: 'Opaque: only a value from a previous page\'s Link rel="next" (SPEC LIST-5, LIST-6).' });

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
