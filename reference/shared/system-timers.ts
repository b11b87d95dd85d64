import type { TimerHandle, Timers } from './timers.ts';

/** Real timers for the edges. Unref'd so a pending timer never holds the process open. */
export function systemTimers(): Timers {
  let nextId = 1;
  const live = new Map<number, NodeJS.Timeout>();
  return {
    setTimer(delayMs, fn) {
      const id = nextId++;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, Math.max(0, delayMs));
      t.unref();
      live.set(id, t);
      return { id };
    },
    clearTimer(handle: TimerHandle) {
      const t = live.get(handle.id);
      if (t) clearTimeout(t);
      live.delete(handle.id);
    },
  };
}
