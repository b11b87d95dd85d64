/**
 * List cursors (SPEC LIST-5, LIST-6) are opaque to clients. Inside they are the
 * last email of the page, so pagination is keyset-based and stable while
 * entries come and go.
 */
import { isValidEmail } from '../../shared/email.ts';

const PREFIX = 'v1:';

export function encodeCursor(lastEmail: string): string {
  return Buffer.from(PREFIX + lastEmail, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return null;
  const email = text.slice(PREFIX.length);
  // Only cursors we could have issued: they hold a (valid, lower-case) email.
  return isValidEmail(email) && email === email.toLowerCase() ? email : null;
}
