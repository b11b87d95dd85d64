import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../core/types.ts';
import { ManualTimers } from '../../shared/manual-timers.ts';
import { ReadBatcher, type ReadBatcherOptions } from './read-batcher.ts';

/** A statement the test answers by hand. */
interface Sent {
  kind: 'one' | 'batch';
  inputs: number[];
  answer(outputs?: string[]): void;
  fail(error: unknown): void;
}

function harness(overrides: Partial<ReadBatcherOptions<number, string>> = {}) {
  const sent: Sent[] = [];
  const statement = (kind: Sent['kind'], inputs: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      sent.push({ kind, inputs, answer: (outputs) => resolve(outputs ?? inputs.map((n) => `row ${n}`)), fail: reject });
    });
  let room = true;
  const timers = new ManualTimers();
  const batcher = new ReadBatcher<number, string>({
    runBatch: (inputs) => statement('batch', [...inputs]),
    runOne: (input) => statement('one', [input]).then((rows) => rows[0] as string),
    poolHasRoom: () => room,
    isInputError: (error) => (error as { code?: string }).code?.startsWith('22') === true,
    maxInFlight: 2,
    maxBatch: 3,
    maxWaitMs: 1_000,
    waitedTooLongMessage: 'waited too long',
    runtime: { clock: timers.clock, timers },
    ...overrides,
  });
  return { batcher, sent, clock: timers, setRoom: (value: boolean) => (room = value) };
}

const dataException = Object.assign(new Error('invalid byte sequence'), { code: '22021' });

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ReadBatcher', () => {
  it('sends a lone call at once, alone', async () => {
    const { batcher, sent } = harness();
    const answer = batcher.run(7);
    await turn();
    expect(sent.map((s) => [s.kind, s.inputs])).toEqual([['one', [7]]]);
    sent[0]?.answer();
    expect(await answer).toBe('row 7');
  });

  it('sends calls made in the same turn as one statement, each getting its own row', async () => {
    const { batcher, sent } = harness();
    const answers = [batcher.run(1), batcher.run(2), batcher.run(3)];
    await turn();
    expect(sent.map((s) => [s.kind, s.inputs])).toEqual([['batch', [1, 2, 3]]]);
    sent[0]?.answer();
    expect(await Promise.all(answers)).toEqual(['row 1', 'row 2', 'row 3']);
  });

  it('holds calls while maxInFlight statements are out, then sends them together, maxBatch at most', async () => {
    const { batcher, sent } = harness();
    const first = batcher.run(1);
    await turn();
    const second = batcher.run(2);
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2]]); // two out: the limit
    const later = [3, 4, 5, 6].map((n) => batcher.run(n));
    await turn();
    expect(sent).toHaveLength(2);
    expect(batcher.depth).toEqual({ inFlight: 2, waiting: 4 });
    sent[0]?.answer();
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2], [3, 4, 5]]);
    sent[1]?.answer();
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2], [3, 4, 5], [6]]);
    sent[2]?.answer();
    sent[3]?.answer();
    expect(await Promise.all([first, second, ...later])).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5', 'row 6']);
    await turn(); // a statement counts as out until its promise has settled
    expect(batcher.depth).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('sends no second statement while the pool has no free connection, but always one', async () => {
    const { batcher, sent, setRoom } = harness();
    setRoom(false);
    const first = batcher.run(1);
    await turn();
    const rest = [batcher.run(2), batcher.run(3)];
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1]]);
    sent[0]?.answer();
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [2, 3]]);
    sent[1]?.answer();
    expect(await Promise.all([first, ...rest])).toEqual(['row 1', 'row 2', 'row 3']);
  });

  it('runs a batch refused for its data again call by call, one after the other, so only the refused call fails', async () => {
    const { batcher, sent } = harness();
    const answers = [1, 2, 3].map((n) => batcher.run(n).catch((error: Error) => `failed: ${error.message}`));
    await turn();
    sent[0]?.fail(dataException);
    await turn();
    expect(sent.map((s) => [s.kind, s.inputs])).toEqual([['batch', [1, 2, 3]], ['one', [1]]]);
    sent[1]?.answer();
    await turn();
    sent[2]?.fail(dataException);
    await turn();
    sent[3]?.answer();
    expect(sent.map((s) => [s.kind, s.inputs])).toEqual([['batch', [1, 2, 3]], ['one', [1]], ['one', [2]], ['one', [3]]]);
    expect(await Promise.all(answers)).toEqual(['row 1', 'failed: invalid byte sequence', 'row 3']);
    expect(batcher.counts).toEqual({ statements: 1, calls: 3, largest: 3, mostInFlight: 1, retriedBatches: 1, retriedCalls: 3 });
  });

  it('stops running a refused batch call by call at the first outage, failing the rest with it at once', async () => {
    const { batcher, sent } = harness();
    const answers = [1, 2, 3].map((n) => batcher.run(n).catch((error: unknown) => error));
    await turn();
    sent[0]?.fail(dataException);
    await turn();
    const outage = new StoreUnavailableError('postgres store unavailable');
    sent[1]?.fail(outage);
    expect(await Promise.all(answers)).toEqual([outage, outage, outage]);
    expect(sent.map((s) => [s.kind, s.inputs])).toEqual([['batch', [1, 2, 3]], ['one', [1]]]);
  });

  it('fails the calls still waiting when told to (a closing store), and leaves those out to settle', async () => {
    const { batcher, sent, clock } = harness({ maxInFlight: 1 });
    const out = batcher.run(1);
    await turn();
    const waiting = batcher.run(2).catch((error: unknown) => error);
    await turn();
    const closed = new StoreUnavailableError('closed');
    batcher.failWaiting(closed);
    expect(await waiting).toBe(closed);
    expect(clock.pendingCount()).toBe(0);
    sent[0]?.answer();
    expect(await out).toBe('row 1');
    expect(sent).toHaveLength(1);
  });

  it('fails the whole batch when its statement is broken (not a data exception), without running each call again', async () => {
    const { batcher, sent } = harness();
    const answers = [1, 2].map((n) => batcher.run(n).catch((error: unknown) => error));
    await turn();
    const broken = Object.assign(new Error('column "no_such_column" does not exist'), { code: '42703' });
    sent[0]?.fail(broken);
    expect(await Promise.all(answers)).toEqual([broken, broken]);
    expect(sent).toHaveLength(1);
  });

  it('fails a call that waited maxWaitMs without being sent, as StoreUnavailableError; calls sent in time are answered', async () => {
    const { batcher, sent, clock } = harness({ maxInFlight: 1 });
    const first = batcher.run(1);
    await turn();
    const early = batcher.run(2).catch((error: unknown) => error);
    clock.advanceMs(600);
    const late = batcher.run(3);
    await turn();
    clock.advanceMs(400); // 2 has now waited 1,000 ms; 3 only 400
    expect(await early).toEqual(new StoreUnavailableError('waited too long'));
    expect(batcher.depth).toEqual({ inFlight: 1, waiting: 1 });
    sent[0]?.answer();
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1], [3]]);
    // A later call's own deadline is kept after an earlier one expired: 4 waits 1,000 ms behind 3.
    const later = batcher.run(4).catch((error: unknown) => error);
    await turn();
    clock.advanceMs(999);
    expect(batcher.depth.waiting).toBe(1);
    clock.advanceMs(1);
    expect(await later).toEqual(new StoreUnavailableError('waited too long'));
    sent[1]?.answer();
    expect([await first, await late]).toEqual(['row 1', 'row 3']);
    await turn();
    expect(clock.pendingCount()).toBe(0); // nothing waits, so no timer is left set
  });

  it('keeps the next deadline after one expires, with no statement coming back meanwhile', async () => {
    const { batcher, clock } = harness({ maxInFlight: 1 });
    void batcher.run(1);
    await turn();
    const second = batcher.run(2).catch((error: unknown) => error);
    clock.advanceMs(600);
    const third = batcher.run(3).catch((error: unknown) => error);
    await turn();
    clock.advanceMs(400);
    expect(await second).toEqual(new StoreUnavailableError('waited too long'));
    clock.advanceMs(600);
    expect(await third).toEqual(new StoreUnavailableError('waited too long'));
  });

  it('takes a poolHasRoom that throws as no room', async () => {
    const poolGone = (): boolean => {
      throw new Error('pool gone');
    };
    const { batcher, sent } = harness({ poolHasRoom: poolGone });
    const first = batcher.run(1);
    await turn();
    const second = batcher.run(2);
    await turn();
    expect(sent.map((s) => s.inputs)).toEqual([[1]]);
    sent[0]?.answer();
    await turn();
    sent[1]?.answer();
    expect([await first, await second]).toEqual(['row 1', 'row 2']);
  });

  it('fails the whole batch on an outage, without running each call again', async () => {
    const { batcher, sent } = harness();
    const answers = [1, 2].map((n) => batcher.run(n).catch((error: unknown) => error));
    await turn();
    const outage = new StoreUnavailableError('postgres store unavailable');
    sent[0]?.fail(outage);
    expect(await Promise.all(answers)).toEqual([outage, outage]);
    expect(sent).toHaveLength(1);
  });

  it('fails every call of a batch that came back with the wrong number of rows', async () => {
    const { batcher, sent } = harness();
    const answers = [1, 2].map((n) => batcher.run(n).catch((error: Error) => error.message));
    await turn();
    sent[0]?.answer(['row 1']);
    expect(await Promise.all(answers)).toEqual(['ReadBatcher: a batch of 2 came back with 1 outputs', 'ReadBatcher: a batch of 2 came back with 1 outputs']);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => harness({ maxInFlight: 0 })).toThrow(/maxInFlight must be a positive integer, got 0/);
    expect(() => harness({ maxBatch: 1.5 })).toThrow(/maxBatch must be a positive integer, got 1.5/);
    expect(() => harness({ maxWaitMs: Number.NaN })).toThrow(/maxWaitMs must be a positive integer, got NaN/);
  });
});
