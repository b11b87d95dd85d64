/**
 * Time as a dependency. Pure modules (relay core, peer logic, simulator)
 * receive a Clock instead of calling Date.now(), so the simulator can run
 * the very same code on a virtual clock and tests can pin time exactly.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, as this clock sees it. */
  nowMs(): number;
}

/** A clock that only moves when told to: tests and `--test-mode`. */
export class ManualClock implements Clock {
  constructor(private currentMs: number = Date.UTC(2026, 0, 1)) {}
  nowMs(): number {
    return this.currentMs;
  }
  advanceMs(deltaMs: number): void {
    if (!Number.isFinite(deltaMs) || deltaMs < 0) throw new RangeError(`cannot advance a clock by ${deltaMs} ms`);
    this.currentMs += deltaMs;
  }
  setMs(atMs: number): void {
    this.currentMs = atMs;
  }
}

/**
 * Wall time plus an offset that only grows. The relay's `--test-mode`
 * uses it so `POST /api/test/clock` can jump time forward while requests
 * keep flowing in real time.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: Clock) {}
  nowMs(): number {
    return this.base.nowMs() + this.offsetMs;
  }
  advanceMs(deltaMs: number): void {
    if (!Number.isFinite(deltaMs) || deltaMs < 0) throw new RangeError(`cannot advance a clock by ${deltaMs} ms`);
    this.offsetMs += deltaMs;
  }
}
