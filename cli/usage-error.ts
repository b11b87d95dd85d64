import { UserInputError } from '../reference/shared/user-input-error.ts';

/**
 * Something the user typed or pointed us at is wrong. The CLI prints the
 * message as one line and exits 2, never a stack trace.
 */
export class UsageError extends UserInputError {}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
