import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue, type PoppedEvent } from './event-queue.ts';

function drain(queue: EventQueue): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const event: PoppedEvent = { timeMs: 0, seq: 0, kind: 0, target: 0, payload: undefined };
  while (queue.popInto(event)) out.push([event.timeMs, event.target]);
  return out;
}

describe('EventQueue', () => {
  it('pops in time order and breaks ties by insertion order (seq)', () => {
    const queue = new EventQueue();
    queue.push(10, 0, 1);
    queue.push(5, 0, 2);
    queue.push(10, 0, 3);
    queue.push(5, 0, 4);
    queue.push(0, 0, 5);
    expect(drain(queue)).toEqual([[0, 5], [5, 2], [5, 4], [10, 1], [10, 3]]);
  });

  it('matches a stable sort by time for any schedule, across growth and cancellation', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 3000 }), (entries) => {
        const queue = new EventQueue();
        const refs = entries.map(([time], i) => queue.push(time, 0, i));
        entries.forEach(([, cancel], i) => cancel && queue.cancel(refs[i]!));
        const expected = entries
          .map(([time, cancel], i) => ({ time, i, cancel }))
          .filter((e) => !e.cancel)
          .sort((a, b) => a.time - b.time || a.i - b.i)
          .map((e) => [e.time, e.i]);
        expect(queue.size).toBe(expected.length);
        expect(drain(queue)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('does not let a stale reference cancel an event that reuses its slot', () => {
    const queue = new EventQueue();
    const first = queue.push(1, 0, 1);
    drain(queue);
    const second = queue.push(2, 0, 2);
    expect(second.slot).toBe(first.slot);
    expect(queue.cancel(first)).toBe(false);
    expect(drain(queue)).toEqual([[2, 2]]);
  });

  it('rejects negative and non-finite times', () => {
    const queue = new EventQueue();
    expect(() => queue.push(-1, 0, 0)).toThrow(RangeError);
    expect(() => queue.push(Number.NaN, 0, 0)).toThrow(RangeError);
    expect(() => queue.push(Number.POSITIVE_INFINITY, 0, 0)).toThrow(RangeError);
  });
});
