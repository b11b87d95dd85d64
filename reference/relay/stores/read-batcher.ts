/**
 * Coalesces concurrent calls of one read into one statement, for the
 * PostgreSQL store's lookup (SPEC LOOKUP-1: every lookup is one read of the
 * caller's identity and the target's live broadcast).
 *
 * Measured (bench/relay-postgres-floor.ts, 50 callers): one statement per
 * lookup costs node-postgres and the pool about 30 µs of this process's
 * CPU and the server about as much again, and the statement's fixed costs
 * (the protocol messages, bind, execute) are most of both. Sent together,
 * calls share those fixed costs.
 *
 * No call is made to wait for company: a call goes out at once (after the
 * current microtask, so calls made in the same turn go together) unless
 * `maxInFlight` statements are already out, or one is and the pool has no
 * free connection. Then it waits for the next statement to come back, and
 * all that waited go out together, at most `maxBatch` to a statement. A
 * call that waits longer than `maxWaitMs` without being sent fails with
 * StoreUnavailableError, as a call alone fails when no connection comes.
 *
 * A batch that fails because of one input's data (`isInputError`: for
 * PostgreSQL, SQLSTATE class 22) is run again call by call, one after the
 * other, so only the call the server refuses fails. Any other failure (an
 * outage, a broken statement) fails the whole batch: each call would have
 * met it alone.
 */
import { StoreUnavailableError } from '../core/types.ts';
import { systemClock } from '../../shared/system-clock.ts';
import { systemTimers } from '../../shared/system-timers.ts';
import type { Runtime, TimerHandle } from '../../shared/timers.ts';

export interface ReadBatcherOptions<In, Out> {
  /** One statement for several inputs: one output per input, in their order. */
  runBatch(inputs: readonly In[]): Promise<Out[]>;
  /** One input alone: a batch of one, and each call of a batch refused for its data. */
  runOne(input: In): Promise<Out>;
  /** Whether a statement sent now would get a connection at once. */
  poolHasRoom(): boolean;
  /** Whether a batch's failure came from one input's data, not from the server or the statement. */
  isInputError(error: unknown): boolean;
  maxInFlight: number;
  maxBatch: number;
  maxWaitMs: number;
  /** The StoreUnavailableError's message for a call that waited longer than maxWaitMs. */
  waitedTooLongMessage: string;
  /** Wall time and real timers by default; tests pass ManualTimers' clock and timers. */
  runtime?: Runtime;
}

interface Waiting<In, Out> {
  input: In;
  deadlineMs: number;
  resolve(output: Out): void;
  reject(error: unknown): void;
}

/** What went out so far. */
export interface BatcherCounts {
  /** Statements sent (a batch or a call alone; the retries of a refused batch not counted). */
  statements: number;
  /** Calls those statements carried. */
  calls: number;
  /** The largest batch. */
  largest: number;
  /** The most statements out at once. */
  mostInFlight: number;
  /** Batches refused for their data and run again call by call, and the calls run again. */
  retriedBatches: number;
  retriedCalls: number;
}

export class ReadBatcher<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private inFlight = 0;
  private flushQueued = false;
  private expiryTimer: TimerHandle | null = null;
  /** The deadline expiryTimer is set for (the first waiting call's), so a flush that keeps it keeps the timer. */
  private expiryArmedForMs = Number.NaN;
  private readonly runtime: Runtime;
  private readonly sent: BatcherCounts = { statements: 0, calls: 0, largest: 0, mostInFlight: 0, retriedBatches: 0, retriedCalls: 0 };

  constructor(private readonly options: ReadBatcherOptions<In, Out>) {
    for (const name of ['maxInFlight', 'maxBatch', 'maxWaitMs'] as const) {
      if (!Number.isSafeInteger(options[name]) || options[name] < 1) throw new RangeError(`${name} must be a positive integer, got ${options[name]}`);
    }
    this.runtime = options.runtime ?? { clock: systemClock, timers: systemTimers() };
  }

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, deadlineMs: this.runtime.clock.nowMs() + this.options.maxWaitMs, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => {
          this.flushQueued = false;
          this.flush();
        });
      }
    });
  }

  /** Fails every call still waiting to be sent (the store is closing); those out settle by themselves. */
  failWaiting(error: unknown): void {
    for (const call of this.waiting.splice(0)) call.reject(error);
    this.armExpiry();
  }

  /** Statements out now, and calls waiting for one. */
  get depth(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  get counts(): BatcherCounts {
    return { ...this.sent };
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.maySend()) {
      const calls = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.sent.mostInFlight = Math.max(this.sent.mostInFlight, this.inFlight);
      this.sent.statements++;
      this.sent.calls += calls.length;
      this.sent.largest = Math.max(this.sent.largest, calls.length);
      void this.send(calls).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
    this.armExpiry();
  }

  private maySend(): boolean {
    if (this.inFlight === 0) return true;
    if (this.inFlight >= this.options.maxInFlight) return false;
    try {
      return this.options.poolHasRoom();
    } catch {
      return false; // a statement is out: its return flushes again
    }
  }

  /** One timer, for the call that has waited longest (the first: calls wait in arrival order). */
  private armExpiry(): void {
    const first = this.waiting[0];
    if (first !== undefined && first.deadlineMs === this.expiryArmedForMs) return;
    if (this.expiryTimer !== null) this.runtime.timers.clearTimer(this.expiryTimer);
    this.expiryTimer = null;
    this.expiryArmedForMs = Number.NaN;
    if (first === undefined) return;
    this.expiryArmedForMs = first.deadlineMs;
    this.expiryTimer = this.runtime.timers.setTimer(Math.max(0, first.deadlineMs - this.runtime.clock.nowMs()), () => {
      this.expiryTimer = null;
      this.expiryArmedForMs = Number.NaN;
      this.expire();
    });
  }

  private expire(): void {
    const nowMs = this.runtime.clock.nowMs();
    let late = 0;
    while (late < this.waiting.length && (this.waiting[late] as Waiting<In, Out>).deadlineMs <= nowMs) late++;
    const error = new StoreUnavailableError(this.options.waitedTooLongMessage);
    for (const call of this.waiting.splice(0, late)) call.reject(error);
    this.armExpiry();
  }

  private async send(calls: Waiting<In, Out>[]): Promise<void> {
    if (calls.length === 1) {
      await this.sendOne(calls[0] as Waiting<In, Out>);
      return;
    }
    let outputs: Out[];
    try {
      outputs = await this.options.runBatch(calls.map((c) => c.input));
    } catch (error) {
      if (!this.options.isInputError(error)) {
        for (const call of calls) call.reject(error);
        return;
      }
      // One after the other, inside this statement's slot: the limit on statements out still holds.
      // The first failure that is not about its own input (an outage) fails the rest at once.
      this.sent.retriedBatches++;
      for (const [i, call] of calls.entries()) {
        this.sent.retriedCalls++;
        const alone = await this.sendOne(call);
        if (alone.ok || this.options.isInputError(alone.error)) continue;
        for (const rest of calls.slice(i + 1)) rest.reject(alone.error);
        return;
      }
      return;
    }
    if (outputs.length !== calls.length) {
      const mismatch = new Error(`ReadBatcher: a batch of ${calls.length} came back with ${outputs.length} outputs`);
      for (const call of calls) call.reject(mismatch);
      return;
    }
    calls.forEach((call, i) => call.resolve(outputs[i] as Out));
  }

  /** Runs one call alone and settles it; says how it went, for a refused batch's retries. */
  private async sendOne(call: Waiting<In, Out>): Promise<{ ok: true } | { ok: false; error: unknown }> {
    try {
      call.resolve(await this.options.runOne(call.input));
      return { ok: true };
    } catch (error) {
      call.reject(error);
      return { ok: false, error };
    }
  }
}
