/**
 * Virtual time. The simulation keeps elapsed milliseconds since its start
 * (what the event queue orders by); simulated code sees an epoch-based
 * Clock, like Date.now(), so the relay's unix-second fields look real.
 * It only moves forward, and only when the run loop jumps to the next event.
 */
import type { Clock } from '../../reference/shared/clock.ts';

/** 2026-01-01T00:00:00Z: a fixed epoch so results never depend on when a run started. */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1);

export class VirtualClock implements Clock {
  private currentElapsedMs = 0;
  constructor(readonly epochMs: number = DEFAULT_EPOCH_MS) {}

  nowMs(): number {
    return this.epochMs + this.currentElapsedMs;
  }

  /** Milliseconds since the simulation started. */
  elapsedMs(): number {
    return this.currentElapsedMs;
  }

  advanceTo(elapsedMs: number): void {
    if (elapsedMs < this.currentElapsedMs) throw new RangeError(`virtual time cannot go back from ${this.currentElapsedMs} to ${elapsedMs} ms`);
    this.currentElapsedMs = elapsedMs;
  }
}

/** A host whose wall clock is off by `skewMs` (clock skew between peers and relay). */
export class SkewedClock implements Clock {
  constructor(private readonly base: Clock, readonly skewMs: number) {}
  nowMs(): number {
    return this.base.nowMs() + this.skewMs;
  }
}
