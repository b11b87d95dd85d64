/**
 * The value syntaxes scenarios use: durations ("24h", "30m", "1h30m",
 * "250ms"), percentages ("40%") and ratios (0.01 or "1%").
 */
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Milliseconds, or null when the text is not a duration. "0" alone is allowed. */
export function parseDurationMs(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (trimmed === '') return null;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const at = DURATION_PART.lastIndex;
    const match = DURATION_PART.exec(trimmed);
    if (match === null || match.index !== at) return null;
    total += Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
  }
  return Math.round(total);
}

/** "40%" -> 40; null when not a percentage in [0, 100]. */
export function parsePercent(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (match === null) return null;
  const value = Number(match[1]);
  return value <= 100 ? value : null;
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
