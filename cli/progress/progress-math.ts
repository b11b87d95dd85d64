/**
 * Pure progress arithmetic for long runs (simulate, sweep, conformance):
 * percent, ETA, rates and the one-line text both the TTY bar and the
 * plain 10% lines show. Nothing is printed from nothing: an ETA or a rate
 * needs some work done and some time elapsed first ("ETA —" until then).
 */
export interface ProgressState {
  /** Work done so far, in `unit`: virtual milliseconds, or cases. */
  done: number;
  total: number;
  unit: 'virtual-ms' | 'cases';
  elapsedMs: number;
  /** Simulated events processed so far (simulate only), for events/s. */
  events?: number | null;
}

/** Done over total, clamped to [0, 1]; 0 when there is no total. */
export function fractionDone(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  return Math.min(1, Math.max(0, done / total));
}

/** Remaining wall time at the rate so far; null before any work or time (no made-up number). */
export function etaMs(state: Pick<ProgressState, 'done' | 'total' | 'elapsedMs'>): number | null {
  const f = fractionDone(state.done, state.total);
  if (f >= 1) return 0;
  if (f <= 0 || !(state.elapsedMs > 0)) return null;
  return (state.elapsedMs * (1 - f)) / f;
}

/** Count per second of wall time; null before any time has passed or with nothing counted. */
export function perSecond(count: number | null | undefined, elapsedMs: number): number | null {
  if (count === null || count === undefined || !(count > 0) || !(elapsedMs > 0)) return null;
  return (count * 1000) / elapsedMs;
}

/** 950 → "950", 12_300 → "12.3k", 1_234_567 → "1.2M". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${trim(n / 1e9)}G`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e3) return `${trim(n / 1e3)}k`;
  return String(Math.round(n));
}

function trim(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1).replace(/\.0$/, '');
}

const UNITS: ReadonlyArray<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/**
 * A duration rounded down to its two largest units, in the duration
 * grammar's spelling (reference/shared/duration.ts): 25_954_500 → "7h12m",
 * 12_400 → "12s", 3_700 → "3.7s", 420 → "420ms". For reading, not parsing back exactly.
 */
export function roughDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (Math.round(ms) === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toString()}s`;
  const parts: string[] = [];
  let rest = Math.floor(ms);
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !/^0/.test(p)).join('') || '0s';
}

/** The 10% steps passed going from `before` to `after` (fractions), e.g. 0.28 → 0.51: [30, 40, 50]. */
export function decilesCrossed(before: number, after: number): number[] {
  const from = Math.floor(before * 10 + 1e-9);
  const to = Math.floor(after * 10 + 1e-9);
  const out: number[] = [];
  for (let d = from + 1; d <= to && d <= 10; d++) out.push(d * 10);
  return out;
}

/** "simulate: 30% · virtual 7h12m of 1d · elapsed 12s · ETA 28s · 1.2M events/s". */
export function progressText(label: string, state: ProgressState, percent = Math.floor(fractionDone(state.done, state.total) * 100)): string {
  const parts = [`${label}: ${percent}%`];
  parts.push(state.unit === 'cases' ? `cases ${Math.round(state.done)} of ${state.total}` : `virtual ${roughDuration(state.done)} of ${roughDuration(state.total)}`);
  parts.push(`elapsed ${roughDuration(state.elapsedMs)}`);
  const eta = etaMs(state);
  parts.push(`ETA ${eta === null ? '—' : roughDuration(eta)}`);
  if (state.events !== undefined) {
    const rate = perSecond(state.events, state.elapsedMs);
    parts.push(rate === null ? 'events/s —' : `${formatCount(rate)} events/s`);
  }
  return parts.join(' · ');
}
