import type { Clock } from './clock.ts';

/** The real clock. Only edges (servers, CLI) construct it. */
export const systemClock: Clock = { nowMs: () => Date.now() };
