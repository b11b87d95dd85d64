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

  it('keeps (time, seq) order when timers go to delay lanes beside the heap', () => {
    // Ops as a run makes them: heap events at any time ahead, lane events at now + one of a few delays
    // (more delays than lanes, so some fall back to the heap), cancels of earlier ones, pops that move now.
    const op = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60 }), fc.nat());
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 2500, size: 'max' }), (ops) => {
        const queue = new EventQueue();
        const model: Array<{ time: number; seq: number; target: number; ref: { slot: number; seq: number } }> = [];
        const event: PoppedEvent = { timeMs: 0, seq: 0, kind: 0, target: 0, payload: undefined };
        const delays = [0, 5, 30, 7.5, 1, 2, 3, 4, 6, 8, 9];
        let now = 0;
        let target = 0;
        for (const [kind, amount, pick] of ops) {
          if (kind === 0 || kind === 1) {
            const time = kind === 0 ? now + amount : now + (delays[amount % delays.length] as number);
            const slot = kind === 0 ? queue.pushSlot(time, 0, target) : queue.pushAfter(delays[amount % delays.length] as number, time, 0, target);
            model.push({ time, seq: queue.seqAt(slot), target: target++, ref: { slot, seq: queue.seqAt(slot) } });
          } else if (kind === 2 && model.length > 0) {
            const [victim] = model.splice(pick % model.length, 1);
            expect(queue.cancel(victim!.ref)).toBe(true);
          } else if (kind === 3) {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = model.shift();
            expect(queue.popInto(event)).toBe(want !== undefined);
            if (want !== undefined) {
              expect([event.timeMs, event.target]).toEqual([want.time, want.target]);
              now = event.timeMs;
            }
          }
          expect(queue.size).toBe(model.length);
        }
        model.sort((a, b) => a.time - b.time || a.seq - b.seq);
        expect(drain(queue)).toEqual(model.map((m) => [m.time, m.target]));
      }),
      { numRuns: 80 },
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

  it('cancels by (slot, seq) from pushSlot as by an EventRef, and a stale pair cancels nothing', () => {
    const queue = new EventQueue();
    const slot = queue.pushSlot(1, 0, 1);
    const seq = queue.seqAt(slot);
    queue.pushSlot(2, 0, 2);
    expect(queue.cancelAt(slot, seq)).toBe(true);
    expect(queue.cancelAt(slot, seq)).toBe(false);
    expect(drain(queue)).toEqual([[2, 2]]);
    // Both slots are free again: the next two events take them, one of them the cancelled event's.
    expect([queue.pushSlot(3, 0, 3), queue.pushSlot(4, 0, 4)]).toContain(slot);
    expect(queue.cancelAt(slot, seq)).toBe(false);
    expect(drain(queue)).toEqual([[3, 3], [4, 4]]);
  });

  it('rejects negative and non-finite times', () => {
    const queue = new EventQueue();
    expect(() => queue.push(-1, 0, 0)).toThrow(RangeError);
    expect(() => queue.push(Number.NaN, 0, 0)).toThrow(RangeError);
    expect(() => queue.push(Number.POSITIVE_INFINITY, 0, 0)).toThrow(RangeError);
  });
});
