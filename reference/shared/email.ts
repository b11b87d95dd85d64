/**
 * Emails are identities and compare case-insensitively everywhere
 * (SPEC REG-6): we normalise once, to lower case, at every boundary.
 */
export const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, a non-empty local part without spaces, a dotted domain.
// No control characters anywhere (\p{Cc}: U+0000..U+001F, U+007F..U+009F): no mail system
// allows them, and PostgreSQL refuses NUL outright. No format characters (\p{Cf}: bidi
// overrides such as U+202E, zero-width spaces, U+FEFF): "\u202Etset.proc@htims.nhoj"
// displays as john.smith@corp.test, an identity that looks like another (SPEC REG-5).
const EMAIL_SHAPE = /^[^\s@<>()\[\],;:"\\\p{Cc}\p{Cf}]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/u;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: unknown): email is string {
  return typeof email === 'string' && email.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(email);
}

/** The shape check alone, without the length limit. */
export function hasEmailShape(email: string): boolean {
  return EMAIL_SHAPE.test(email);
}

/**
 * The normalised email, or null when it is not one. Validates AFTER
 * normalising: lower-casing can lengthen a string ('İ' becomes 'i' plus a
 * combining dot), so a raw email within the limit can exceed it once
 * normalised, and the normalised form is what is stored, listed and
 * looked up (SPEC REG-5, REG-6).
 */
export function normalizeValidEmail(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const normalized = normalizeEmail(email);
  return isValidEmail(normalized) ? normalized : null;
}
