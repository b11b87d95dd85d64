/**
 * Every error the relay returns is `{"error": <human text>, "code": <stable code>}`.
 * Codes are part of the protocol surface (SPEC ERR-*): never rename one.
 */
export const ERROR_STATUS = {
  // transport and framing (ERR-*)
  invalid_json: 400,
  invalid_body: 400,
  body_too_large: 413,
  route_not_found: 404,
  method_not_allowed: 405,
  // Reserved (SPEC ERR-8 lets a relay refuse non-JSON content types); the reference accepts any.
  unsupported_media_type: 415,
  // HTTP framing the relay cannot take (no Host, an unknown Expect)
  invalid_request: 400,
  expectation_failed: 417,
  // too many requests of a kind from one source address (registration)
  rate_limited: 429,
  // registration (REG-*)
  invalid_certificate: 400,
  certificate_not_valid_now: 400,
  unsupported_key_type: 400,
  invalid_email: 400,
  email_mismatch: 400,
  email_taken: 409,
  certificate_already_registered: 409,
  // a client certificate was presented on register, and it is not the one in the body (proof of possession)
  certificate_mismatch: 400,
  // authentication (AUTH-*)
  client_certificate_required: 401,
  certificate_not_registered: 401,
  // the presented certificate is registered, but outside its validity window now (SPEC AUTH-6)
  certificate_expired: 401,
  // a trusted proxy sent two certificate headers, or two certificates in one
  ambiguous_client_certificate: 400,
  // broadcast (READY-*, HB-*)
  invalid_port: 400,
  invalid_addresses: 400,
  invalid_capabilities: 400,
  no_live_broadcast: 404,
  // lookup and list (LOOKUP-*, LIST-*)
  missing_email: 400,
  peer_not_found: 404,
  invalid_limit: 400,
  invalid_cursor: 400,
  // test-control profile (TEST-*)
  invalid_clock_advance: 400,
  // operator side: never caused by what a client sent
  store_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: string;
  code: ErrorCode;
}
