import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { parseRate, TokenBuckets } from './rate-limit.ts';

describe('TokenBuckets (registration rate limit per source address)', () => {
  it('allows the burst at once, then refuses with the whole seconds until the next token', () => {
    const clock = new ManualClock(1_000_000);
    const buckets = new TokenBuckets({ ratePerSecond: 0.5, burst: 3 }, clock);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advanceMs(1_000);
    // Half a token back: still refused, one second to go.
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advanceMs(1_000);
    expect(buckets.take('a')).toEqual({ allowed: true });
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 }, clock);
    expect(buckets.take('10.0.0.1').allowed).toBe(true);
    expect(buckets.take('10.0.0.1').allowed).toBe(false);
    expect(buckets.take('10.0.0.2').allowed).toBe(true);
  });

  it('never says less than 1 second, refills to the burst and no further, and ignores a clock that steps back', () => {
    const clock = new ManualClock(5_000_000);
    const buckets = new TokenBuckets({ ratePerSecond: 100, burst: 2 }, clock);
    buckets.take('a');
    buckets.take('a');
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advanceMs(3_600_000);
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, false]);
    clock.setMs(0);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('remembers a bounded number of keys, forgetting full buckets first', () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 }, clock, 100);
    expect(buckets.take('busy').allowed).toBe(true);
    for (let i = 0; i < 1000; i += 1) buckets.take(`k${i}`);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });

  it('refuses a rate or burst that makes no sense', () => {
    const clock = new ManualClock();
    expect(() => new TokenBuckets({ ratePerSecond: 0, burst: 1 }, clock)).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 0 }, clock)).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: Number.NaN, burst: 1 }, clock)).toThrow(RangeError);
  });
});

describe('parseRate (--register-rate)', () => {
  it.each([
    ['10/s', 10],
    ['10', 10],
    ['600/min', 10],
    ['30/m', 0.5],
    ['36/h', 0.01],
    ['0.5/s', 0.5],
    ['5/10s', 0.5],
    ['86400/d', 1],
  ])('reads %j as %d per second', (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond, 10);
  });

  it.each(['off', 'OFF', '0', 'none'])('reads %j as no limit', (text) => expect(parseRate(text)).toBeNull());

  it.each(['', 'fast', '-1/s', '10/x', '1e3', '0/s', '10 / s', '10/0s', '10/5'])('refuses %j', (text) => expect(() => parseRate(text)).toThrow(/expected a rate/));
});
