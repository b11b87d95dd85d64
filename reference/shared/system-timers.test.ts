import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemTimers } from './system-timers.ts';

const DAY_MS = 86_400_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('systemTimers', () => {
  it('waits out delays longer than one setTimeout can hold (a renewal due in 30 days does not run at once)', () => {
    vi.useFakeTimers();
    const fired: number[] = [];
    systemTimers().setTimer(30 * DAY_MS, () => fired.push(Date.now()));
    const start = Date.now();
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(30 * DAY_MS - 1001);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([start + 30 * DAY_MS]);
  });

  it('cancels a long timer in any of its steps', () => {
    vi.useFakeTimers();
    const timers = systemTimers();
    let fired = false;
    const handle = timers.setTimer(60 * DAY_MS, () => (fired = true));
    vi.advanceTimersByTime(40 * DAY_MS);
    timers.clearTimer(handle);
    vi.advanceTimersByTime(30 * DAY_MS);
    expect(fired).toBe(false);
  });
});
