/**
 * Where a swept value sits on a chart's x axis: in proportion when every
 * value of the parameter reads as one kind of number (durations, ratios
 * and percentages, plain numbers), so 10m, 20m, 60m are spaced as time is;
 * evenly, in the order typed, otherwise (strategy=sequential,race).
 */
import { parseDurationMs, parsePercent } from '../scenario/units.ts';

/** Fractions in [0, 1], one per value. */
export function axisPositions(values: readonly string[]): number[] {
  const even = values.map((_, i) => (values.length === 1 ? 0.5 : i / (values.length - 1)));
  const numbers = asNumbers(values);
  if (numbers === null) return even;
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  return max === min ? even : numbers.map((n) => (n - min) / (max - min));
}

function asNumbers(values: readonly string[]): number[] | null {
  for (const read of [readPlain, readPercent, readDuration]) {
    const numbers = values.map(read);
    if (numbers.every((n): n is number => n !== null)) return numbers;
  }
  return null;
}

function readPlain(text: string): number | null {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null;
}

/** A ratio as the scenario reads it: "5%" and 0.05 are the same place. */
function readPercent(text: string): number | null {
  const percent = parsePercent(text);
  return percent === null ? readPlain(text) : percent / 100;
}

function readDuration(text: string): number | null {
  return parseDurationMs(text);
}
