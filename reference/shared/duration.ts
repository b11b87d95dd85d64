/**
 * The one duration grammar, for the command line, scenario files and rates:
 * one or more parts of a number and a unit, `250ms`, `90s`, `30m`, `1h30m`,
 * `2d` (`min` is `m`). A bare number is seconds on the command line
 * (`--heartbeat-interval 1800`); scenario files refuse it (a YAML number
 * there could be meant as anything), except `0`. Pure; returns whole
 * milliseconds, or null for anything else.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|min|s|m|h|d)/y;
const BARE_NUMBER = /^\d+(?:\.\d+)?$/;

export interface DurationOptions {
  /** What a number without a unit means: seconds (the command line), or nothing (scenario files: only "0"). */
  bareNumber?: 'seconds' | 'refused';
}

export function parseDurationMs(text: string | number, options: DurationOptions = {}): number | null {
  const bareSeconds = (options.bareNumber ?? 'seconds') === 'seconds';
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 && (bareSeconds || text === 0) ? Math.round(text * 1000) : null;
  const trimmed = text.trim();
  if (BARE_NUMBER.test(trimmed)) return bareSeconds || Number(trimmed) === 0 ? Math.round(Number(trimmed) * 1000) : null;
  if (trimmed === '') return null;
  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const at = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (match === null || match.index !== at) return null;
    totalMs += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return Number.isFinite(totalMs) ? Math.round(totalMs) : null;
}

/** The shortest exact spelling in this grammar: 86400000 → "1d", 90000 → "90s". */
export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
