/**
 * What `npm test`'s set-up step (prepare.ts) tried and could not do, handed
 * to vitest.config.ts so that each missing thing is still reported on one
 * line. Kept in the temp folder; an hour-old note is ignored.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Need } from './requirements.ts';

// Per user: another user's file in /tmp cannot be written.
const user = process.getuid?.() ?? 'user';
export const SETUP_STATE = join(tmpdir(), `relaylab-test-setup-${user}.json`);
export const SETUP_LOG = join(tmpdir(), `relaylab-test-setup-${user}.log`);

export type SetupState = Partial<Record<Need, string>>;

const FRESH_MS = 60 * 60_000;

export function readSetupState(now = Date.now()): SetupState {
  try {
    const { at, tried } = JSON.parse(readFileSync(SETUP_STATE, 'utf8')) as { at: number; tried: SetupState };
    return now - at < FRESH_MS ? tried : {};
  } catch {
    return {};
  }
}
