import { ManualClock } from './clock.ts';
import type { Runtime, TimerHandle, Timers } from './timers.ts';

interface PendingTimer {
  id: number;
  dueMs: number;
  fn: () => void;
}

/**
 * Deterministic Timers driven by a ManualClock, for tests. Nothing fires
 * on its own: `advanceMs` moves the clock forward and runs every timer that
 * falls due on the way, in (due time, creation order). The clock stands at
 * each timer's due time while it runs, so code that reads the clock inside a
 * callback sees exactly the time it was scheduled for. Timers created by a
 * callback fire in the same advance when they fall inside the window.
 */
export class ManualTimers implements Timers {
  private nextId = 1;
  private readonly pending = new Map<number, PendingTimer>();

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (!Number.isFinite(delayMs)) throw new RangeError(`cannot schedule a timer ${delayMs} ms from now`);
    const id = this.nextId++;
    this.pending.set(id, { id, dueMs: this.clock.nowMs() + Math.max(0, delayMs), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  /** How many timers are waiting to fire. */
  pendingCount(): number {
    return this.pending.size;
  }

  /** Due time of the earliest pending timer, or null. */
  nextDueMs(): number | null {
    return this.earliest()?.dueMs ?? null;
  }

  /** Moves time forward by `deltaMs`, firing every timer due up to and including the end. */
  advanceMs(deltaMs: number): void {
    if (!Number.isFinite(deltaMs) || deltaMs < 0) throw new RangeError(`cannot advance time by ${deltaMs} ms`);
    const endMs = this.clock.nowMs() + deltaMs;
    for (let next = this.earliest(); next && next.dueMs <= endMs; next = this.earliest()) {
      this.fire(next);
    }
    this.clock.setMs(endMs);
  }

  /** Fires timers already due now (a zero-delay timer, say) without moving time. */
  runDue(): void {
    this.advanceMs(0);
  }

  /**
   * Jumps to the next timer and fires it (and any others due at that same
   * instant). Returns false when nothing is pending. Bounded by the caller.
   */
  runNext(): boolean {
    const next = this.earliest();
    if (!next) return false;
    this.advanceMs(next.dueMs - this.clock.nowMs());
    return true;
  }

  /** Runs timers until none remain or `maxTimers` have fired (guards against a loop that reschedules forever). */
  runAll(maxTimers = 10_000): number {
    let fired = 0;
    for (let next = this.earliest(); next; next = this.earliest()) {
      if (fired >= maxTimers) throw new Error(`ManualTimers.runAll: more than ${maxTimers} timers fired; something reschedules forever`);
      this.fire(next);
      fired++;
    }
    return fired;
  }

  private fire(timer: PendingTimer): void {
    this.pending.delete(timer.id);
    if (timer.dueMs > this.clock.nowMs()) this.clock.setMs(timer.dueMs);
    timer.fn();
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    // Map iteration is insertion order, so ties on dueMs keep creation order.
    for (const timer of this.pending.values()) {
      if (!best || timer.dueMs < best.dueMs) best = timer;
    }
    return best;
  }
}

/** A test runtime: one ManualClock and the ManualTimers bound to it. */
export function manualRuntime(startMs?: number): Runtime & { clock: ManualClock; timers: ManualTimers } {
  const clock = new ManualClock(startMs);
  return { clock, timers: new ManualTimers(clock) };
}
