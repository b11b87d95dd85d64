/**
 * Errors the way an outside team writes them: handlers `throw new HttpError`,
 * one catch turns it into a body. The body format is switchable so the
 * suite's ERR-1 check ("a code from the spec") can be shown to bite.
 */
import type { ErrorStyle } from './options.ts';

/** The codes this relay uses, with their SPEC status (SPEC error table). */
export const STATUS_OF = {
  invalid_json: 400,
  invalid_body: 400,
  body_too_large: 413,
  route_not_found: 404,
  method_not_allowed: 405,
  invalid_certificate: 400,
  certificate_not_valid_now: 400,
  unsupported_key_type: 400,
  invalid_email: 400,
  email_mismatch: 400,
  email_taken: 409,
  certificate_already_registered: 409,
  certificate_mismatch: 400,
  client_certificate_required: 401,
  certificate_not_registered: 401,
  certificate_expired: 401,
  invalid_port: 400,
  invalid_addresses: 400,
  invalid_capabilities: 400,
  no_live_broadcast: 404,
  missing_email: 400,
  peer_not_found: 404,
  invalid_limit: 400,
  invalid_cursor: 400,
} as const;

export type Code = keyof typeof STATUS_OF;

/** errorStyle 'own-codes': right statuses, the team's own SCREAMING codes (not SPEC codes). */
const OWN_CODES: Record<Code, string> = {
  invalid_json: 'BAD_JSON',
  invalid_body: 'BAD_REQUEST',
  body_too_large: 'PAYLOAD_TOO_LARGE',
  route_not_found: 'NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
  invalid_certificate: 'BAD_CERTIFICATE',
  certificate_not_valid_now: 'CERTIFICATE_EXPIRED',
  unsupported_key_type: 'BAD_KEY',
  invalid_email: 'BAD_EMAIL',
  email_mismatch: 'EMAIL_MISMATCH',
  email_taken: 'CONFLICT',
  certificate_already_registered: 'CONFLICT',
  certificate_mismatch: 'CERT_MISMATCH',
  client_certificate_required: 'UNAUTHORIZED',
  certificate_not_registered: 'UNAUTHORIZED',
  certificate_expired: 'UNAUTHORIZED',
  invalid_port: 'BAD_PORT',
  invalid_addresses: 'BAD_ADDRESSES',
  invalid_capabilities: 'BAD_CAPABILITIES',
  no_live_broadcast: 'NOT_FOUND',
  missing_email: 'MISSING_EMAIL',
  peer_not_found: 'NOT_FOUND',
  invalid_limit: 'BAD_LIMIT',
  invalid_cursor: 'BAD_CURSOR',
};

export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: Code,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS_OF[code];
  }
}

/** What the "database" throws; its message reaches the client, as pg errors often do. */
export class DatabaseError extends Error {}

/** SPEC ERR-1 in the default style; members in our own order (code first), which JSON allows. */
export function errorBody(error: HttpError, style: ErrorStyle): Record<string, string> {
  switch (style) {
    case 'spec':
      return { code: error.code, error: error.message };
    case 'no-code':
      return { error: error.message };
    case 'own-codes':
      return { error: error.message, code: OWN_CODES[error.code] };
  }
}

/** The generic catch of any Express app: no details, except what the database said. */
export function unexpectedBody(error: unknown): Record<string, string> {
  return { error: error instanceof DatabaseError ? error.message : 'Internal Server Error' };
}
