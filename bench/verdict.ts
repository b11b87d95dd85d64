/**
 * How a benchmark prints a measurement against its limit. Two decimals
 * can read as the limit itself on the wrong side of it: a heartbeat just
 * under its target of 85 % of bare printed "85 % ... MISSES (1.00x the
 * target)" on 2026-12-07. Such a ratio gets as many decimals as it takes
 * (at most four) to read as what it is.
 */
const FEWEST_DIGITS = 2;
const MOST_DIGITS = 4;

/** `ratio` (measured over limit) as text that reads 1 only when it is 1 (or within a ten-thousandth of it). */
export function ratioToLimit(ratio: number): string {
  if (!Number.isFinite(ratio)) throw new RangeError(`a ratio to a limit is a finite number, got ${ratio}`);
  for (let digits = FEWEST_DIGITS; digits < MOST_DIGITS; digits++) {
    const text = ratio.toFixed(digits);
    if (ratio === 1 || Number(text) !== 1) return text;
  }
  return ratio.toFixed(MOST_DIGITS);
}
