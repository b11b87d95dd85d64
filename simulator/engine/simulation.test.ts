import { describe, expect, it } from 'vitest';
import { nextInt } from '../../reference/shared/rng.ts';
import { Simulation } from './simulation.ts';
import { RngStreams } from './rng-streams.ts';

/** A little random workload: each event schedules a follow-up at a random delay; returns the firing log. */
async function randomWorkload(seed: number): Promise<string> {
  const sim = new Simulation(seed);
  const rng = sim.rngs.stream('workload');
  const log: string[] = [];
  const kind = sim.defineEvent('tick', (target) => {
    log.push(`${sim.clock.elapsedMs()}:${target}`);
    if (log.length < 500) sim.schedule(nextInt(rng, 20), kind, nextInt(rng, 100));
  });
  for (let i = 0; i < 5; i++) sim.schedule(nextInt(rng, 10), kind, i);
  await sim.run(Number.POSITIVE_INFINITY);
  return log.join(',');
}

describe('Simulation', () => {
  it('is deterministic: same seed, same log; different seed, different log', async () => {
    const a = await randomWorkload(7);
    expect(await randomWorkload(7)).toBe(a);
    expect(await randomWorkload(8)).not.toBe(a);
  });

  it('jumps the clock to each event and parks at the end time', async () => {
    const sim = new Simulation(1);
    const seen: number[] = [];
    sim.timers.setTimer(3_600_000, () => seen.push(sim.clock.elapsedMs()));
    sim.timers.setTimer(5, () => seen.push(sim.clock.elapsedMs()));
    const summary = await sim.run(7_200_000);
    expect(seen).toEqual([5, 3_600_000]);
    expect(summary).toEqual({ eventsProcessed: 2, endElapsedMs: 7_200_000 });
    expect(sim.clock.nowMs()).toBe(sim.clock.epochMs + 7_200_000);
  });

  it('cancels timers, and timers at the same instant fire in the order set', async () => {
    const sim = new Simulation(1);
    const fired: string[] = [];
    sim.timers.setTimer(10, () => fired.push('a'));
    const cancelled = sim.timers.setTimer(10, () => fired.push('cancelled'));
    sim.timers.setTimer(10, () => fired.push('b'));
    sim.timers.setTimer(1, () => sim.timers.clearTimer(cancelled));
    await sim.run(100);
    expect(fired).toEqual(['a', 'b']);
  });

  it('stops at the horizon and resumes later events on the next run', async () => {
    const sim = new Simulation(1);
    const fired: number[] = [];
    sim.timers.setTimer(50, () => fired.push(50));
    sim.timers.setTimer(150, () => fired.push(150));
    await sim.run(100);
    expect(fired).toEqual([50]);
    await sim.run(200);
    expect(fired).toEqual([50, 150]);
  });

  it('awaits an async handler before the next event', async () => {
    const sim = new Simulation(1);
    const order: string[] = [];
    const slow = sim.defineEvent('slow', async () => {
      await Promise.resolve();
      await Promise.resolve();
      order.push('slow done');
    });
    sim.schedule(1, slow, 0);
    sim.timers.setTimer(1, () => order.push('next'));
    await sim.run(10);
    expect(order).toEqual(['slow done', 'next']);
  });
});

describe('RngStreams', () => {
  it('gives independent named streams: drawing from one never shifts another', () => {
    const streams = new RngStreams(42);
    const untouched = streams.stream('net').nextUint32();
    const other = streams.stream('churn');
    for (let i = 0; i < 10; i++) other.nextUint32();
    expect(streams.stream('net').nextUint32()).toBe(untouched);
    expect(streams.stream('net', 1).nextUint32()).not.toBe(untouched);
    expect(new RngStreams(43).stream('net').nextUint32()).not.toBe(untouched);
  });

  it('rejects seeds outside 32 bits', () => {
    expect(() => new RngStreams(-1)).toThrow(RangeError);
    expect(() => new RngStreams(2 ** 32)).toThrow(RangeError);
    expect(() => new RngStreams(1.5)).toThrow(RangeError);
  });
});
