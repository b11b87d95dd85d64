import { describe, expect, it } from 'vitest';
import { manualRuntime } from './manual-timers.ts';

describe('ManualTimers', () => {
  it('fires due timers in (time, creation order) with the clock at each due time', () => {
    const { clock, timers } = manualRuntime(1_000);
    const seen: string[] = [];
    timers.setTimer(30, () => seen.push(`b@${clock.nowMs()}`));
    timers.setTimer(10, () => seen.push(`a@${clock.nowMs()}`));
    timers.setTimer(30, () => seen.push(`c@${clock.nowMs()}`));
    timers.setTimer(31, () => seen.push(`late@${clock.nowMs()}`));
    timers.advanceMs(30);
    expect(seen).toEqual(['a@1010', 'b@1030', 'c@1030']);
    expect(clock.nowMs()).toBe(1_030);
    expect(timers.pendingCount()).toBe(1);
  });

  it('fires timers scheduled by a callback inside the same window, and never a cleared one', () => {
    const { clock, timers } = manualRuntime(0);
    const seen: number[] = [];
    const doomed = timers.setTimer(5, () => seen.push(-1));
    timers.setTimer(10, () => timers.setTimer(10, () => seen.push(clock.nowMs())));
    timers.clearTimer(doomed);
    timers.advanceMs(19);
    expect(seen).toEqual([]);
    timers.advanceMs(1);
    expect(seen).toEqual([20]);
  });

  it('runNext jumps to the next timer; runAll refuses to loop forever', () => {
    const { clock, timers } = manualRuntime(0);
    expect(timers.runNext()).toBe(false);
    timers.setTimer(500, () => {});
    expect(timers.nextDueMs()).toBe(500);
    expect(timers.runNext()).toBe(true);
    expect(clock.nowMs()).toBe(500);
    const again = (): void => void timers.setTimer(1, again);
    again();
    expect(() => timers.runAll(50)).toThrow(/reschedules forever/);
  });

  it('refuses to go back in time', () => {
    const { timers } = manualRuntime(0);
    expect(() => timers.advanceMs(-1)).toThrow(RangeError);
  });
});
