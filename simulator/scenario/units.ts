/**
 * The value syntaxes scenarios use: durations ("24h", "30m", "1h30m",
 * "250ms"), percentages ("40%") and ratios (0.01 or "1%").
 */
import { formatDuration, parseDurationMs as parseAnyDurationMs } from '../../reference/shared/duration.ts';

/** Milliseconds, or null when the text is not a duration: the one grammar (reference/shared/duration.ts), where a bare number other than "0" is refused. */
export function parseDurationMs(text: string): number | null {
  return parseAnyDurationMs(text, { bareNumber: 'refused' });
}

export { formatDuration };

/** "40%" -> 40; null when not a percentage in [0, 100]. */
export function parsePercent(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (match === null) return null;
  const value = Number(match[1]);
  return value <= 100 ? value : null;
}

