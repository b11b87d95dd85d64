import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../core/types.ts';
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
  const batcher = new ReadBatcher<number, string>({
    runBatch: (inputs) => statement('batch', [...inputs]),
    runOne: (input) => statement('one', [input]).then((rows) => rows[0] as string),
    poolHasRoom: () => room,
    maxInFlight: 2,
    maxBatch: 3,
    ...overrides,
  });
  return { batcher, sent, setRoom: (value: boolean) => (room = value) };
}

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

  it('runs a batch that failed again call by call, so only the call the server refuses fails', async () => {
    const { batcher, sent } = harness();
    const answers = [1, 2, 3].map((n) => batcher.run(n).catch((error: Error) => `failed: ${error.message}`));
    await turn();
    sent[0]?.fail(new Error('invalid byte sequence'));
    await turn();
    expect(sent.map((s) => [s.kind, s.inputs])).toEqual([['batch', [1, 2, 3]], ['one', [1]], ['one', [2]], ['one', [3]]]);
    sent[1]?.answer();
    sent[2]?.fail(new Error('invalid byte sequence'));
    sent[3]?.answer();
    expect(await Promise.all(answers)).toEqual(['row 1', 'failed: invalid byte sequence', 'row 3']);
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
  });
});
