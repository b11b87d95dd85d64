import { UserInputError } from '../reference/shared/user-input-error.ts';

/**
 * Something the user typed or pointed us at is wrong. The CLI prints the
 * message as one line and exits 2, never a stack trace.
 */
export class UsageError extends UserInputError {}

/**
 * 0 done, 1 the thing checked failed (assertions, conformance, a refused
 * request), 2 bad input, 70 a bug of ours (sysexits EX_SOFTWARE), so CI
 * never mistakes a crash for a failed check.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70 } as const;
