/**
 * List cursors (SPEC LIST-5, LIST-6) are opaque to clients. Inside they are the
 * last email of the page, so pagination is keyset-based and stable while
 * entries come and go.
 */
import { hasEmailShape, MAX_EMAIL_LENGTH } from '../../shared/email.ts';

const PREFIX = 'v1:';

/**
 * The longest cursor the relay can issue. An email is at most MAX_EMAIL_LENGTH
 * UTF-16 units, and each unit is at most 3 bytes of UTF-8 (a surrogate pair is
 * 4 bytes for 2 units). That also holds for emails stored by relays that checked
 * the length before lower-casing: lower-casing one unit yields at most 3 bytes
 * ('İ' becomes 'i' + U+0307). A tighter bound refused cursors the relay had
 * itself issued for long non-ASCII emails (LIST-5).
 */
const MAX_CURSOR_CHARS = Math.ceil(((PREFIX.length + 3 * MAX_EMAIL_LENGTH) * 4) / 3);
const CURSOR_SHAPE = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CURSOR_CHARS}}$`);

export function encodeCursor(lastEmail: string): string {
  return Buffer.from(PREFIX + lastEmail, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  if (!CURSOR_SHAPE.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return null;
  const email = text.slice(PREFIX.length);
  // Only cursors we could have issued (LIST-6): exactly what encodeCursor gives for a lower-case,
  // email-shaped key. The length is bounded by the cursor's size rather than by MAX_EMAIL_LENGTH,
  // so a key a store already holds is never refused when the relay hands it back out.
  if (encodeCursor(email) !== cursor) return null;
  return hasEmailShape(email) && email === email.toLowerCase() ? email : null;
}
