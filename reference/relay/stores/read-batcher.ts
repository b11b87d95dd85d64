/**
 * Coalesces concurrent calls of one read into one statement, for the
 * PostgreSQL store's lookup (SPEC LOOKUP-1: every lookup is one read of the
 * caller's identity and the target's live broadcast).
 *
 * Measured (bench/relay-postgres-floor.ts, 50 callers): one statement per
 * lookup costs node-postgres and the pool about 29 µs of this process's
 * CPU and the server as much again, and the statement's fixed costs (the
 * protocol messages, bind, execute) are most of both. Calls that arrive
 * while the store is busy gain nothing by waiting in the pool's queue one
 * by one; sent together they share those fixed costs.
 *
 * No call is made to wait for company: a call goes out at once (after the
 * current microtask, so calls made in the same turn go together) unless
 * `maxInFlight` statements are already out, or one is out and the pool has
 * no free connection. Then it waits for the next statement to come back,
 * and all that waited go out together, at most `maxBatch` to a statement.
 *
 * A batch whose statement fails for any reason but an outage is run again
 * call by call, so one input the server refuses fails only its own call.
 * An outage (StoreUnavailableError) fails the whole batch: each call would
 * have met it alone.
 */
import { StoreUnavailableError } from '../core/types.ts';

export interface ReadBatcherOptions<In, Out> {
  /** One statement for several inputs: one output per input, in their order. */
  runBatch(inputs: readonly In[]): Promise<Out[]>;
  /** One input alone: a batch of one, and each call of a batch that failed. */
  runOne(input: In): Promise<Out>;
  /** Whether a statement sent now would get a connection at once (no checkout waiting). */
  poolHasRoom(): boolean;
  maxInFlight: number;
  maxBatch: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(error: unknown): void;
}

export class ReadBatcher<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private inFlight = 0;
  private flushQueued = false;

  constructor(private readonly options: ReadBatcherOptions<In, Out>) {
    if (!Number.isSafeInteger(options.maxInFlight) || options.maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
    if (!Number.isSafeInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${options.maxBatch}`);
  }

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => {
          this.flushQueued = false;
          this.flush();
        });
      }
    });
  }

  /** Statements out now, and calls waiting for one: for tests and metrics. */
  get depth(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.waiting.length };
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.maySend()) {
      const calls = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.send(calls).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private maySend(): boolean {
    if (this.inFlight === 0) return true;
    return this.inFlight < this.options.maxInFlight && this.options.poolHasRoom();
  }

  private async send(calls: Waiting<In, Out>[]): Promise<void> {
    if (calls.length === 1) return this.sendOne(calls[0] as Waiting<In, Out>);
    let outputs: Out[];
    try {
      outputs = await this.options.runBatch(calls.map((c) => c.input));
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        for (const call of calls) call.reject(error);
        return;
      }
      await Promise.all(calls.map((call) => this.sendOne(call)));
      return;
    }
    if (outputs.length !== calls.length) {
      const mismatch = new Error(`ReadBatcher: a batch of ${calls.length} came back with ${outputs.length} outputs`);
      for (const call of calls) call.reject(mismatch);
      return;
    }
    calls.forEach((call, i) => call.resolve(outputs[i] as Out));
  }

  private async sendOne(call: Waiting<In, Out>): Promise<void> {
    try {
      call.resolve(await this.options.runOne(call.input));
    } catch (error) {
      call.reject(error);
    }
  }
}
