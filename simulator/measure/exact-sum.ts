/**
 * The exact sum of doubles, rounded once at the end (Shewchuk's
 * non-overlapping partials, the algorithm behind Python's math.fsum). A
 * Distribution keeps its samples rounded to 0.001 (all its summary
 * prints), so its mean cannot be summed from them; this keeps the exact
 * sum as the samples arrive, in a few doubles, and the order they arrive
 * in does not change it.
 */
/** Room for 2^60 samples of it before a partial could overflow. */
const MAX_MAGNITUDE = 2 ** 960;

export class ExactSum {
  /** Non-overlapping, increasing in magnitude; their exact sum is the sum so far. */
  private readonly partials: number[] = [];
  /** Infinities and NaNs, summed plainly (Infinity + -Infinity is NaN, as it should be). */
  private nonFinite = 0;

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.nonFinite += value;
      return;
    }
    // Far below any overflow in the sums of partials (a sample is a time in ms, a count or a ratio).
    if (Math.abs(value) > MAX_MAGNITUDE) throw new RangeError(`ExactSum takes values up to 2^960 in magnitude, not ${value}`);
    const partials = this.partials;
    let x = value;
    let kept = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j] as number;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[kept++] = lo;
      x = hi;
    }
    partials.length = kept;
    partials.push(x);
  }

  /** Adds another sum's exact value (a union of distributions). */
  addSum(other: ExactSum): void {
    for (const partial of other.partials) this.add(partial);
    if (other.nonFinite !== 0) this.nonFinite += other.nonFinite;
  }

  /** The exact sum, correctly rounded (half to even) to a double. */
  get value(): number {
    if (this.nonFinite !== 0) return this.nonFinite; // NaN !== 0 too
    const partials = this.partials;
    let n = partials.length;
    if (n === 0) return 0;
    let hi = partials[--n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n] as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-way case: the rest below pushes `lo` past the half, so round away from hi.
    const below = n > 0 ? (partials[n - 1] as number) : 0;
    if ((lo < 0 && below < 0) || (lo > 0 && below > 0)) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}
