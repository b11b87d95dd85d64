/**
 * Units for chart axes and hover text: a time axis reads in the unit its
 * data range is readable in (ms below 2 s, s below 3 min, min below 3 h,
 * then h), and numbers are shown to 4 significant digits.
 */
export interface TimeUnit {
  name: 'ms' | 's' | 'min' | 'h';
  ms: number;
}

const UNITS: Array<TimeUnit & { below: number }> = [
  { name: 'ms', ms: 1, below: 2_000 },
  { name: 's', ms: 1_000, below: 180_000 },
  { name: 'min', ms: 60_000, below: 10_800_000 },
  { name: 'h', ms: 3_600_000, below: Infinity },
];

/** The unit for a time axis whose largest value is `maxMs`. */
export function timeUnitFor(maxMs: number): TimeUnit {
  const unit = UNITS.find((u) => Math.abs(maxMs) < u.below) ?? (UNITS[UNITS.length - 1] as TimeUnit);
  return { name: unit.name, ms: unit.ms };
}

/** A value as hover text reads it: 4 significant digits, no exponent for ordinary values. */
export function num(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** A duration in milliseconds written in `unit`: "12.5 s". */
export function inUnit(ms: number, unit: TimeUnit): string {
  return `${num(ms / unit.ms)} ${unit.name}`;
}
