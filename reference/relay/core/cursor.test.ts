import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.ts';

describe('list cursors (SPEC LIST-5, LIST-6)', () => {
  it.each([
    ['plain ASCII', 'alice@example.com'],
    ['254 three-byte characters', `${'一'.repeat(247)}@ex.com`],
    ['254 units of astral characters', `${'😀'.repeat(123)}a@ex.com`],
    // Stored by relays that checked the length before lower-casing: still a key the relay may list.
    ['a key lengthened by lower-casing', `a${'İ'.repeat(125)}@ex.com`.toLowerCase()],
    ['the longest such key', `${'İ'.repeat(247)}@ex.com`.toLowerCase()],
  ])('decodes every cursor it issues: %s', (_what, email) => {
    expect(decodeCursor(encodeCursor(email))).toBe(email);
  });

  it.each([
    ['not base64url', '!!!'],
    ['no prefix', Buffer.from('alice@example.com').toString('base64url')],
    ['another version', Buffer.from('v2:alice@example.com').toString('base64url')],
    ['upper case', Buffer.from('v1:Alice@example.com').toString('base64url')],
    ['not an email', Buffer.from('v1:nobody').toString('base64url')],
    ['a control character', Buffer.from('v1:a\u0000b@example.com').toString('base64url')],
    ['invalid UTF-8', Buffer.concat([Buffer.from('v1:a'), Buffer.from([0xff]), Buffer.from('@ex.com')]).toString('base64url')],
    ['non-canonical base64url', `${encodeCursor('ab@example.com')}A`],
    ['longer than any email', encodeCursor(`${'一'.repeat(300)}@ex.com`)],
  ])('refuses one it did not issue: %s', (_what, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});
