import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RateLimitedWarner, WarnLimiter } from './warn-limiter.ts';

describe('WarnLimiter', () => {
  it('lets the first of a kind through and counts the rest until the interval ends', () => {
    const limiter = new WarnLimiter();
    expect(limiter.note('a', { remote: '1' }, 'a from 1')).toBe(true);
    expect(limiter.note('a', { remote: '2' }, 'a from 2')).toBe(false);
    expect(limiter.note('a', { remote: '3' }, 'a from 3')).toBe(false);
    expect(limiter.note('b')).toBe(true);
    expect(limiter.tick()).toEqual([{ key: 'a', suppressed: 2, fields: { remote: '3' }, message: 'a from 3' }]);
    // Still busy: counted, reported at the next tick.
    expect(limiter.note('a')).toBe(false);
    expect(limiter.tick()).toEqual([expect.objectContaining({ key: 'a', suppressed: 1 })]);
    // A quiet interval forgets the kind: the next occurrence is logged at once.
    expect(limiter.tick()).toEqual([]);
    expect(limiter.note('a')).toBe(true);
  });

  it('stays bounded when every occurrence is a new kind', () => {
    const limiter = new WarnLimiter();
    let logged = 0;
    for (let i = 0; i < 5000; i += 1) if (limiter.note(`k${i}`)) logged += 1;
    expect(logged).toBe(1000);
    const report = limiter.tick();
    expect(report).toHaveLength(1);
    expect(report[0]?.suppressed).toBe(4000);
  });
});

describe('RateLimitedWarner', () => {
  it('writes one line, then one line with the count on flush', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const warner = new RateLimitedWarner(logger, 60_000);
    for (let i = 0; i < 100; i += 1) warner.warn('x', { remote: '127.0.0.1' }, 'something odd');
    expect(lines).toHaveLength(1);
    warner.close();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ suppressed: 99, remote: '127.0.0.1', msg: 'something odd (repeated 99 more times in the last 60 s)' });
  });
});
