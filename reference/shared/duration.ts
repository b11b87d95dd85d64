/**
 * Durations on the command line: `1800` (seconds), `30m`, `90s`, `250ms`,
 * `1h`. Pure; returns milliseconds or null for anything else.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  return Number.isFinite(value) ? Math.round(value) : null;
}
