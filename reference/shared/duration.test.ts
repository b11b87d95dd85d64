import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationMs } from './duration.ts';

describe('parseDurationMs', () => {
  it.each([
    ['1800', 1_800_000],
    ['30m', 1_800_000],
    ['30min', 1_800_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['  10s ', 10_000],
    [60, 60_000],
  ] as const)('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '-5', '1e3', '5 minutes', '10 s', 's', '1h 30m', '5x'])('refuses %j', (text) => expect(parseDurationMs(text)).toBeNull());

  it('refuses bare numbers other than 0 where they are not seconds (scenario files)', () => {
    expect(parseDurationMs('30', { bareNumber: 'refused' })).toBeNull();
    expect(parseDurationMs(30, { bareNumber: 'refused' })).toBeNull();
    expect(parseDurationMs('0', { bareNumber: 'refused' })).toBe(0);
    expect(parseDurationMs('30m', { bareNumber: 'refused' })).toBe(1_800_000);
  });

  it('formats what it parses', () => {
    for (const ms of [250, 90_000, 1_800_000, 5_400_000, 86_400_000, 0]) expect(parseDurationMs(formatDuration(ms))).toBe(ms);
  });
});
