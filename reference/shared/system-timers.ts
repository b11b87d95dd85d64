import type { TimerHandle, Timers } from './timers.ts';

/**
 * Node holds at most 2^31-1 ms in one setTimeout and fires a longer one
 * after 1 ms instead (TimeoutOverflowWarning): a renewal due in ten years
 * would run at once. Longer delays wait in steps of this size.
 */
export const MAX_TIMEOUT_STEP_MS = 2 ** 31 - 1;

/** Real timers for the edges. Unref'd so a pending timer never holds the process open. */
export function systemTimers(): Timers {
  let nextId = 1;
  const live = new Map<number, NodeJS.Timeout>();
  const arm = (id: number, dueAtMs: number, fn: () => void): void => {
    const leftMs = Math.max(0, dueAtMs - Date.now());
    const t = setTimeout(() => {
      if (leftMs > MAX_TIMEOUT_STEP_MS) return arm(id, dueAtMs, fn);
      live.delete(id);
      fn();
    }, Math.min(leftMs, MAX_TIMEOUT_STEP_MS));
    t.unref();
    live.set(id, t);
  };
  return {
    setTimer(delayMs, fn) {
      const id = nextId++;
      arm(id, Date.now() + Math.max(0, delayMs), fn);
      return { id };
    },
    clearTimer(handle: TimerHandle) {
      const t = live.get(handle.id);
      if (t) clearTimeout(t);
      live.delete(handle.id);
    },
  };
}
