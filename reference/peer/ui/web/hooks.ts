/** Small hooks shared by the sections. */
import { useEffect, useState } from 'preact/hooks';

/**
 * The time of this render, with a re-render every `intervalMs` (for "12 s ago").
 * Read at every render, not kept in state: a render caused by fresh data (a
 * friend's new last-check time) must not compare it with a stale clock ("in 4 s").
 */
export function useNow(intervalMs = 5000): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return Date.now();
}

/** `value`, once it has stayed the same for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
