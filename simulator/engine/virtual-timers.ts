/**
 * reference/shared/timers.ts on the simulator's event queue: a timer is an
 * event whose payload is the callback. Timers set for the same virtual
 * millisecond fire in the order they were set (the queue's seq).
 */
import type { TimerHandle, Timers } from '../../reference/shared/timers.ts';
import type { EventQueue, EventRef } from './event-queue.ts';
import type { VirtualClock } from './virtual-clock.ts';

interface VirtualTimerHandle extends TimerHandle, EventRef {}

export class VirtualTimers implements Timers {
  constructor(
    private readonly queue: EventQueue,
    private readonly clock: VirtualClock,
    private readonly timerKind: number,
  ) {}

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (Number.isNaN(delayMs)) throw new RangeError('timer delay is NaN');
    // Like setTimeout: a negative delay means "as soon as possible", never the past.
    const atMs = this.clock.elapsedMs() + Math.max(0, delayMs);
    const slot = this.queue.pushSlot(atMs, this.timerKind, -1, fn);
    const seq = this.queue.seqAt(slot);
    const handle: VirtualTimerHandle = { id: seq, slot, seq };
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    const ref = handle as Partial<VirtualTimerHandle>;
    if (typeof ref.slot === 'number' && typeof ref.seq === 'number') this.queue.cancel({ slot: ref.slot, seq: ref.seq });
  }
}
