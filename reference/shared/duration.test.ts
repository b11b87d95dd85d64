import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.ts';

describe('parseDurationMs', () => {
  it.each([
    ['1800', 1_800_000],
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    [60, 60_000],
  ] as const)('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'soon', '-5', '5d', '1e3', '5 minutes'])('refuses %j', (text) => expect(parseDurationMs(text)).toBeNull());
});
