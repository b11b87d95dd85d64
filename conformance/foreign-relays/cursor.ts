/**
 * Our own cursor format (SPEC LIST-5 leaves it to the relay): the base64url
 * of the last email on the page, then a truncated HMAC under a per-process
 * secret, so a cursor this relay did not issue is recognised (SPEC LIST-6).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.ts';

export class CursorCodec {
  private readonly secret = randomBytes(32);

  issue(lastEmail: string): string {
    const payload = Buffer.from(lastEmail, 'utf8').toString('base64url');
    return `${payload}.${this.tag(payload)}`;
  }

  /** The email the previous page ended with; invalid_cursor for anything not issued here. */
  read(cursor: string): string {
    const [payload, tag, extra] = cursor.split('.');
    if (!payload || !tag || extra !== undefined) throw new HttpError('invalid_cursor', 'cursor was not issued by this relay');
    const expected = Buffer.from(this.tag(payload), 'utf8');
    const given = Buffer.from(tag, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new HttpError('invalid_cursor', 'cursor was not issued by this relay');
    return Buffer.from(payload, 'base64url').toString('utf8');
  }

  private tag(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 16);
  }
}
