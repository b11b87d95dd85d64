/**
 * The error codes SPEC.md defines for clients to see. A relay answering a
 * 4xx with a code outside this list breaks ERR-1. A project test keeps
 * this list equal to the reference relay's table.
 */
export const SPEC_ERROR_CODES = [
  'invalid_json', 'invalid_body', 'body_too_large', 'route_not_found', 'method_not_allowed', 'unsupported_media_type',
  'invalid_request', 'expectation_failed', 'rate_limited',
  'invalid_certificate', 'certificate_not_valid_now', 'unsupported_key_type', 'invalid_email', 'email_mismatch', 'email_taken', 'certificate_already_registered', 'certificate_mismatch',
  'client_certificate_required', 'certificate_not_registered', 'certificate_expired', 'ambiguous_client_certificate',
  'invalid_port', 'invalid_addresses', 'invalid_capabilities', 'no_live_broadcast',
  'missing_email', 'peer_not_found', 'invalid_limit', 'invalid_cursor',
  'invalid_clock_advance',
] as const;
