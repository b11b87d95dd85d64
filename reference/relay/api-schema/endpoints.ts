/**
 * The relay's endpoints as the OpenAPI document describes them: path and
 * method (RELAY_PATHS, the routes' own table), the schemas of what is sent
 * and answered, and every error code each can answer with, by SPEC id.
 */
import type * as z from 'zod';
import type { ErrorCode } from '../../shared/errors.ts';
import { RELAY_PATHS } from '../../shared/relay-paths.ts';
import type { RelayExtension } from '../core/types.ts';
import { clockAdvanceBody, listCursorParam, listLimitParam, lookupEmailParam, optionalObjectBody, readyBody, registerBody, renewBody } from './request-schemas.ts';
import { clockAnswer, goodbyeAnswer, healthAnswer, heartbeatAnswer, listAnswer, lookupAnswer, openApiAnswer, readyAnswer, registerAnswer, renewAnswer } from './response-schemas.ts';

/** Where the reference relay serves this document; like health, without a client certificate. */
export const OPENAPI_PATH = RELAY_PATHS.openapi;

/** The core protocol, an optional extension (SPEC EXT, listed in health), or the test-control profile (SPEC TEST, test mode only). */
export type Profile = 'core' | 'EXT' | 'TEST';

export interface Endpoint {
  path: string;
  method: 'get' | 'post';
  operationId: string;
  summary: string;
  spec: string[];
  profile: Profile;
  extension?: RelayExtension;
  /** none: no certificate needed; optional: used when presented (register, REG-13/REG-14); required: AUTH-1. */
  security: 'none' | 'optional' | 'required';
  body?: { name: string; schema: z.ZodType; required: boolean };
  query?: Array<{ name: string; schema: z.ZodType; required: boolean }>;
  answer: { name: string; schema: z.ZodType; linkHeader?: boolean };
  /** What the handler itself can refuse with; the edge's codes are added to every endpoint. */
  codes: ErrorCode[];
}

/** Any request can meet these at the HTTPS edge (serve.ts, principal.ts), whatever its path. */
/** Statuses the HTTP parser answers with before routing (serve.ts): headers too large, a request that did not arrive in time. */
export const EDGE_PARSER_STATUSES: ReadonlyArray<readonly [number, ErrorCode[]]> = [[408, ['invalid_body']], [431, ['invalid_body']]];

export const EDGE_CODES: ErrorCode[] = ['invalid_request', 'invalid_body', 'body_too_large', 'expectation_failed', 'method_not_allowed', 'ambiguous_client_certificate', 'internal_error'];
const AUTH_CODES: ErrorCode[] = ['client_certificate_required', 'certificate_not_registered', 'certificate_expired'];
const BODY_CODES: ErrorCode[] = ['invalid_json', 'invalid_body'];
const CERTIFICATE_CODES: ErrorCode[] = ['invalid_certificate', 'unsupported_key_type', 'certificate_not_valid_now', 'email_mismatch'];

export const ENDPOINTS: Endpoint[] = [
  {
    path: RELAY_PATHS.health, method: 'get', operationId: 'health', summary: 'Is the relay up, and which extensions does it offer', spec: ['GEN-2'], profile: 'core', security: 'none',
    answer: { name: 'HealthAnswer', schema: healthAnswer }, codes: [],
  },
  {
    path: OPENAPI_PATH, method: 'get', operationId: 'openapi', summary: 'This document', spec: [], profile: 'core', security: 'none',
    answer: { name: 'OpenApiDocument', schema: openApiAnswer }, codes: [],
  },
  {
    path: RELAY_PATHS.register, method: 'post', operationId: 'register', summary: 'Register a self-signed certificate for an email', spec: ['REG-1..REG-14'], profile: 'core', security: 'optional',
    body: { name: 'RegisterRequest', schema: registerBody, required: true }, answer: { name: 'RegisterAnswer', schema: registerAnswer },
    codes: [...BODY_CODES, 'invalid_email', ...CERTIFICATE_CODES, 'certificate_mismatch', 'client_certificate_required', 'email_taken', 'certificate_already_registered', 'rate_limited', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.ready, method: 'post', operationId: 'ready', summary: 'Announce (or replace) the caller\'s broadcast', spec: ['READY-1..READY-8', 'ROB-5', 'EXT-3'], profile: 'core', security: 'required',
    body: { name: 'ReadyRequest', schema: readyBody, required: true }, answer: { name: 'ReadyAnswer', schema: readyAnswer },
    codes: [...AUTH_CODES, ...BODY_CODES, 'invalid_port', 'invalid_addresses', 'invalid_capabilities', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.heartbeat, method: 'post', operationId: 'heartbeat', summary: 'Keep the caller\'s live broadcast alive for another TTL', spec: ['HB-1..HB-4', 'EXT-3'], profile: 'core', security: 'required',
    body: { name: 'OptionalObjectBody', schema: optionalObjectBody, required: false }, answer: { name: 'HeartbeatAnswer', schema: heartbeatAnswer },
    codes: [...AUTH_CODES, ...BODY_CODES, 'no_live_broadcast', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.lookup, method: 'get', operationId: 'lookup', summary: 'Find a peer\'s live broadcast by email', spec: ['LOOKUP-1..LOOKUP-6'], profile: 'core', security: 'required',
    query: [{ name: 'email', schema: lookupEmailParam, required: true }], answer: { name: 'LookupAnswer', schema: lookupAnswer },
    codes: [...AUTH_CODES, 'missing_email', 'invalid_email', 'peer_not_found', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.list, method: 'get', operationId: 'list', summary: 'List live broadcasts, a page at a time', spec: ['LIST-1..LIST-7'], profile: 'core', security: 'required',
    query: [{ name: 'limit', schema: listLimitParam, required: false }, { name: 'cursor', schema: listCursorParam, required: false }],
    answer: { name: 'ListAnswer', schema: listAnswer, linkHeader: true }, codes: [...AUTH_CODES, 'invalid_limit', 'invalid_cursor', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.renew, method: 'post', operationId: 'renew', summary: 'Replace the caller\'s certificate by a new one, keeping email, id and broadcast', spec: ['EXT-1'], profile: 'EXT', extension: 'renew', security: 'required',
    body: { name: 'RenewRequest', schema: renewBody, required: true }, answer: { name: 'RenewAnswer', schema: renewAnswer },
    codes: [...AUTH_CODES, ...BODY_CODES, 'invalid_email', ...CERTIFICATE_CODES, 'certificate_already_registered', 'route_not_found', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.goodbye, method: 'post', operationId: 'goodbye', summary: 'End the caller\'s broadcast now', spec: ['EXT-2'], profile: 'EXT', extension: 'goodbye', security: 'required',
    body: { name: 'OptionalObjectBody', schema: optionalObjectBody, required: false }, answer: { name: 'GoodbyeAnswer', schema: goodbyeAnswer },
    codes: [...AUTH_CODES, ...BODY_CODES, 'route_not_found', 'store_unavailable'],
  },
  {
    path: RELAY_PATHS.clock, method: 'post', operationId: 'advanceClock', summary: 'Move the relay\'s clock forward (test mode only)', spec: ['TEST-1..TEST-3'], profile: 'TEST', security: 'none',
    body: { name: 'ClockAdvanceRequest', schema: clockAdvanceBody, required: true }, answer: { name: 'ClockAnswer', schema: clockAnswer },
    codes: [...BODY_CODES, 'invalid_clock_advance', 'route_not_found'],
  },
];
