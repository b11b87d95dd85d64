/**
 * The run loop: one virtual clock, one event queue, named random streams.
 * It pops the earliest event, jumps the clock to its time (no ticking) and
 * calls the handler registered for its kind. A handler may return a
 * Promise (the relay core is async because its store is); the loop awaits
 * it before the next event, so async work never interleaves with later
 * events and a run stays a pure function of its seed.
 */
import { EventQueue, type EventRef, type PoppedEvent } from './event-queue.ts';
import { RngStreams } from './rng-streams.ts';
import { VirtualClock } from './virtual-clock.ts';
import { VirtualTimers } from './virtual-timers.ts';

export type EventHandler = (target: number, payload: unknown) => void | Promise<void>;

export interface RunSummary {
  eventsProcessed: number;
  endElapsedMs: number;
}

export class Simulation {
  readonly clock: VirtualClock;
  readonly queue = new EventQueue();
  readonly rngs: RngStreams;
  readonly timers: VirtualTimers;
  private readonly handlers: EventHandler[] = [];
  private readonly handlerNames: string[] = [];
  private processed = 0;
  private readonly scratch: PoppedEvent = { timeMs: 0, seq: 0, kind: 0, target: 0, payload: undefined };

  constructor(seed: number, epochMs?: number) {
    this.clock = new VirtualClock(epochMs);
    this.rngs = new RngStreams(seed);
    const timerKind = this.defineEvent('timer', (_target, payload) => (payload as () => void)());
    this.timers = new VirtualTimers(this.queue, this.clock, timerKind);
  }

  get eventsProcessed(): number {
    return this.processed;
  }

  /** Registers a handler; the returned kind number is what schedule() takes. */
  defineEvent(name: string, handler: EventHandler): number {
    this.handlers.push(handler);
    this.handlerNames.push(name);
    return this.handlers.length - 1;
  }

  eventName(kind: number): string {
    return this.handlerNames[kind] ?? `#${kind}`;
  }

  schedule(delayMs: number, kind: number, target: number, payload?: unknown): EventRef {
    return this.queue.push(this.clock.elapsedMs() + Math.max(0, delayMs), kind, target, payload);
  }

  /** schedule() without an EventRef object: returns the slot, whose seq is `queue.seqAt(slot)` until it fires (cancel with `queue.cancelAt`). */
  post(delayMs: number, kind: number, target: number, payload?: unknown): number {
    return this.queue.pushSlot(this.clock.elapsedMs() + Math.max(0, delayMs), kind, target, payload);
  }

  scheduleAt(elapsedMs: number, kind: number, target: number, payload?: unknown): EventRef {
    if (elapsedMs < this.clock.elapsedMs()) throw new RangeError(`cannot schedule in the past (${elapsedMs} < ${this.clock.elapsedMs()} ms)`);
    return this.queue.push(elapsedMs, kind, target, payload);
  }

  /**
   * Processes every event up to and including `untilElapsedMs`, then parks
   * the clock there. `onProgress` hears at each 1% of that virtual span
   * and every 65,536 events (only the latter when the span is open-ended).
   */
  async run(untilElapsedMs: number, onProgress?: (elapsedMs: number) => void): Promise<RunSummary> {
    const event = this.scratch;
    const progressEvery = 65_536;
    const byTime = Number.isFinite(untilElapsedMs) && onProgress !== undefined;
    const progressStepMs = byTime ? Math.max(1, (untilElapsedMs - this.clock.elapsedMs()) / 100) : Infinity;
    let nextProgressMs = this.clock.elapsedMs() + progressStepMs;
    for (;;) {
      const next = this.queue.peekTimeMs();
      if (next === null || next > untilElapsedMs) break;
      this.queue.popInto(event);
      this.clock.advanceTo(event.timeMs);
      const handler = this.handlers[event.kind];
      if (handler === undefined) throw new Error(`no handler for event kind ${event.kind}`);
      const result = handler(event.target, event.payload);
      event.payload = undefined;
      if (result !== undefined) await result;
      this.processed++;
      if (event.timeMs >= nextProgressMs) {
        while (nextProgressMs <= event.timeMs) nextProgressMs += progressStepMs;
        onProgress?.(this.clock.elapsedMs());
      } else if (this.processed % progressEvery === 0 && onProgress) {
        // Also between the 1% steps: on a big run one step is a minute of wall time, too long to wait for Ctrl-C.
        onProgress(this.clock.elapsedMs());
      }
    }
    if (untilElapsedMs > this.clock.elapsedMs() && Number.isFinite(untilElapsedMs)) this.clock.advanceTo(untilElapsedMs);
    return { eventsProcessed: this.processed, endElapsedMs: this.clock.elapsedMs() };
  }
}
