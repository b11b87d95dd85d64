/**
 * What the relay answers, as zod schemas, for the OpenAPI document (and the
 * test that checks the relay's real answers against it). Objects the SPEC
 * lets carry more members (GEN-2, EXT-1, EXT-2) are loose; the others list
 * every member the reference relay sends.
 */
import * as z from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../shared/errors.ts';
import { RELAY_EXTENSIONS } from '../core/types.ts';
import { addressList, capabilitiesObject, emailAddress, ipLiteral, PORT_RANGE } from './request-schemas.ts';

const unixSeconds = z.int().min(0).meta({ description: 'Unix seconds (floor).' });
const ttlSeconds = z.int().min(1).meta({ description: "The relay's broadcast TTL in seconds, the same in every answer (SPEC EXP-6)." });
const port = z.int().min(PORT_RANGE.min).max(PORT_RANGE.max);
const identityId = z.string().min(1).meta({ description: "The registration's id; a renewal keeps it (SPEC EXT-1)." });
const observedAddress = ipLiteral.optional().meta({ description: 'SPEC EXT-3, only where the relay offers "observed-address" and knows it: the address this request came from.' });

export const healthAnswer = z.looseObject({
  status: z.literal('ok'),
  extensions: z.array(z.enum(RELAY_EXTENSIONS)).optional().meta({ description: 'The optional extensions this relay offers (SPEC EXT); absent when none.' }),
});

export const registerAnswer = z.object({ status: z.literal('registered'), email: emailAddress, id: identityId });

export const readyAnswer = z.object({ status: z.literal('registered'), broadcast_id: z.string().min(1), expires_in: ttlSeconds, observed_address: observedAddress });

export const heartbeatAnswer = z.object({ status: z.literal('alive'), expires_in: ttlSeconds, broadcast_expires: unixSeconds, observed_address: observedAddress });

export const lookupAnswer = z.object({
  email: emailAddress,
  status: z.literal('online'),
  port,
  addresses: addressList,
  last_seen: unixSeconds,
  broadcast_expires: unixSeconds,
  capabilities: capabilitiesObject.optional().meta({ description: 'Exactly as announced; absent when the broadcast had none (SPEC LOOKUP-5).' }),
});

export const listAnswer = z
  .array(z.object({ email: emailAddress, port, addresses: addressList, last_seen: unixSeconds }))
  .meta({ description: 'Live broadcasts other than the caller\'s, sorted by email (byte order); more pages are announced in a Link rel="next" header (SPEC LIST-1..LIST-5).' });

export const renewAnswer = z.looseObject({ status: z.literal('renewed'), email: emailAddress, id: identityId, not_after: unixSeconds.meta({ description: "The new certificate's notAfter, unix seconds." }) });

export const goodbyeAnswer = z.looseObject({ status: z.literal('gone'), was_live: z.boolean().meta({ description: 'Whether a broadcast was live and is now ended.' }) });

export const clockAnswer = z.object({ now: unixSeconds.meta({ description: "The relay's clock after the move, unix seconds." }) });

export const openApiAnswer = z.looseObject({ openapi: z.string().regex(/^3\.1\.[0-9]+$/), info: z.looseObject({}), paths: z.looseObject({}) });

/** SPEC ERR-1: `{"error", "code"}`; the codes an answer of this status can carry. */
export function errorAnswer(codes: readonly ErrorCode[]) {
  return z.object({
    error: z.string().meta({ description: 'Human text; free, may change.' }),
    code: z.enum(codes as [ErrorCode, ...ErrorCode[]]).meta({ description: 'Stable (SPEC ERR-1).' }),
  });
}

/** The status each code is answered with (SPEC ERR-1 table). */
export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
