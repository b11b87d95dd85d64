/**
 * SPEC AUTH-6: a registered certificate authenticates only inside its
 * validity window, on the relay's clock. Registration already refuses a
 * certificate that is not valid then (REG-8); this catches the ones that
 * expire while registered. Rows stored before the relay kept the window
 * carry null, and the window is read from their PEM instead.
 */
import type { CertificateInspector } from '../../identity/inspect.ts';
import type { IdentityRecord } from './types.ts';

/** Why the identity's certificate does not authenticate now, or null when it does. */
export function validityProblem(identity: IdentityRecord, certificates: CertificateInspector, nowMs: number): string | null {
  // Every authenticated call comes here: a stored window is compared as it is, with nothing allocated.
  if (identity.notBeforeMs !== null && identity.notAfterMs !== null) return problemAt(identity.notBeforeMs, identity.notAfterMs, nowMs);
  if (identity.certificatePem === null) return null; // no window and no PEM: nothing to judge by (no store does both)
  try {
    const facts = certificates.inspect(identity.certificatePem);
    // Registration refused unreadable windows (REG-8), so an unreadable one here is a stored row we cannot judge: let it pass.
    return Number.isFinite(facts.notBeforeMs) && Number.isFinite(facts.notAfterMs) ? problemAt(facts.notBeforeMs, facts.notAfterMs, nowMs) : null;
  } catch {
    return null;
  }
}

function problemAt(notBeforeMs: number, notAfterMs: number, nowMs: number): string | null {
  // RFC 5280 4.1.2.5: notAfter itself is still inside the validity period.
  if (nowMs > notAfterMs) {
    return `the client certificate expired at ${new Date(notAfterMs).toISOString()}; renew it before it expires (or register a new identity)`;
  }
  if (nowMs < notBeforeMs) return `the client certificate is not valid before ${new Date(notBeforeMs).toISOString()}`;
  return null;
}
