import { describe, expect, it } from 'vitest';
import { isValidEmail, normalizeValidEmail } from './email.ts';

describe('email shape (SPEC REG-5)', () => {
  it.each(['alice@example.com', 'a+tag@example.com', 'ünïcödé@example.com', 'x.y_z-1@sub.example.co'])('takes %j', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  // Format characters make one identity look like another: "\u202Etset.proc@htims.nhoj" displays as john.smith@corp.test.
  it.each(['\u202Etset.proc@htims.nhoj', 'jo\u200Bhn@corp.test', 'jo\uFEFFhn@corp.test', 'jo\u2066hn@corp.test', 'jo\u0085hn@corp.test', 'jo\u0000hn@corp.test', 'jo hn@corp.test'])('refuses %j (control, format or space characters)', (email) => {
    expect(isValidEmail(email)).toBe(false);
    expect(normalizeValidEmail(email)).toBeNull();
  });
});
