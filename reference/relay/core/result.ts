import { ERROR_STATUS, type ErrorCode } from '../../shared/errors.ts';
import type { RelayResponse } from './types.ts';

/** A JSON success response. */
export function ok(body: unknown, headers?: Record<string, string>): RelayResponse {
  return headers ? { status: 200, body, headers } : { status: 200, body };
}

/** A protocol error: `{"error", "code"}` with the status the code implies (SPEC ERR-1). */
export function fail(code: ErrorCode, message: string, headers?: Record<string, string>): RelayResponse {
  const response: RelayResponse = { status: ERROR_STATUS[code], body: { error: message, code } };
  if (headers) response.headers = headers;
  return response;
}
