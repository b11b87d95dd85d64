/**
 * reference/shared/timers.ts on the simulator's event queue: a timer is an
 * event whose payload is the callback. Timers set for the same virtual
 * millisecond fire in the order they were set (the queue's seq).
 */
import type { TimerHandle, Timers } from '../../reference/shared/timers.ts';
import type { EventQueue, EventRef } from './event-queue.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** A class with an `id` getter: two fields per live timer, not three (a million peers hold two timers each). */
class VirtualTimerHandle implements TimerHandle, EventRef {
  constructor(readonly slot: number, readonly seq: number) {}
  get id(): number {
    return this.seq;
  }
}

export class VirtualTimers implements Timers {
  constructor(
    private readonly queue: EventQueue,
    private readonly clock: VirtualClock,
    private readonly timerKind: number,
  ) {}

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (Number.isNaN(delayMs)) throw new RangeError('timer delay is NaN');
    // Like setTimeout: a negative delay means "as soon as possible", never the past.
    const afterMs = Math.max(0, delayMs);
    // Timers come in a few fixed delays (timeouts, intervals): the queue keeps each delay's in a FIFO lane.
    const slot = this.queue.pushAfter(afterMs, this.clock.elapsedMs() + afterMs, this.timerKind, -1, fn);
    return new VirtualTimerHandle(slot, this.queue.seqAt(slot));
  }

  clearTimer(handle: TimerHandle): void {
    if (handle instanceof VirtualTimerHandle) this.queue.cancel(handle);
  }
}
