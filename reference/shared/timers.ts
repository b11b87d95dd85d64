import type { Clock } from './clock.ts';

/**
 * Deferred work as a dependency. Pure peer logic schedules through this,
 * never through setTimeout, so the simulator can fire the same callbacks on
 * its virtual clock (in `(time, seq)` order) and real code on wall time.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Timers {
  /** Runs `fn` once, `delayMs` from now on the paired clock. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface Runtime {
  clock: Clock;
  timers: Timers;
}
