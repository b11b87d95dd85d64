/**
 * Samples of one measured quantity, summarised once at the end (sorting a
 * typed array is fast and deterministic).
 */
import { ExactSum } from './exact-sum.ts';

export interface DistributionSummary {
  count: number;
  /** Every statistic is null, never 0, when there are no samples (then `note` says so). */
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  /** Up to 50 [value, cumulative fraction] points for CDF charts. */
  cdf: Array<[number, number]>;
  note?: string;
}

export const NO_SAMPLES = 'no samples';

const CDF_POINTS = 50;

/** Samples per full chunk: a growing distribution copies at most one chunk, never all it holds. */
const CHUNK_SAMPLES = 1 << 16;
const FIRST_CAPACITY = 256;
const MILLI = 1000;
const MAX_UINT32 = 0xffff_ffff;

/**
 * Where samples are kept, narrowest first; a tail only ever widens. Each
 * holds a sample's thousandths, `Math.round(value * 1000)`: every figure
 * the summary prints is a sample rounded to three decimals (round3), and
 * the rounding keeps their order, so the summary is the same as from the
 * samples themselves. The mean is the one figure that needs more: it comes
 * from an exact running sum instead.
 * - bytes: whole numbers 0..255 (attempt counts), kept as the number itself;
 * - thousandths 0..2^32-1 in four bytes (latencies up to 71 minutes);
 * - anything else (longer times, negatives, -0, NaN) as a double of thousandths.
 */
type Samples = Uint8Array | Uint32Array | Float64Array;

export class Distribution {
  /** Samples fill full chunks of CHUNK_SAMPLES, then a tail that doubles up to that size: a run with a hundred million lookups never holds a doubled copy of them all while it grows. */
  private full: Samples[] = [];
  private tail: Samples = new Uint8Array(FIRST_CAPACITY);
  private tailLength = 0;
  private readonly sum = new ExactSum();

  get count(): number {
    return this.full.length * CHUNK_SAMPLES + this.tailLength;
  }

  add(value: number): void {
    this.sum.add(value);
    const thousandths = Math.round(value * MILLI);
    if (this.tail instanceof Uint8Array) {
      if (Number.isInteger(value) && value >= 0 && value <= 255 && !Object.is(value, -0)) return this.push(value);
      this.widenTail(fitsUint32(thousandths) ? Uint32Array : Float64Array);
    } else if (this.tail instanceof Uint32Array && !fitsUint32(thousandths)) {
      this.widenTail(Float64Array);
    }
    this.push(thousandths);
  }

  /** Bytes its samples occupy, the tail's spare room included (bench:sim's memory floor counts it). */
  get heldBytes(): number {
    let bytes = this.tail.byteLength;
    for (const chunk of this.full) bytes += chunk.byteLength;
    return bytes;
  }

  summary(): DistributionSummary {
    const all = new Float64Array(this.count);
    this.copyInto(all, 0);
    return summarize(all, this.sum);
  }

  /** Adds its exact sum to `into` (a union's mean). */
  addSumTo(into: ExactSum): void {
    into.addSum(this.sum);
  }

  /** Copies the samples' thousandths into `out` at `offset`; returns the offset after them. */
  copyInto(out: Float64Array, offset: number): number {
    for (const chunk of this.full) offset = copyThousandths(chunk, chunk.length, out, offset);
    return copyThousandths(this.tail, this.tailLength, out, offset);
  }

  private push(stored: number): void {
    if (this.tailLength === this.tail.length) this.growTail();
    this.tail[this.tailLength++] = stored;
  }

  /** The tail moves to a wider kind, its samples converted to thousandths; full chunks stay as they are (copyInto reads each by its kind). */
  private widenTail(kind: Uint32ArrayConstructor | Float64ArrayConstructor): void {
    const wider = new kind(this.tail.length);
    copyThousandths(this.tail, this.tailLength, wider, 0);
    this.tail = wider;
  }

  private growTail(): void {
    const kind = this.tail.constructor as Uint8ArrayConstructor | Uint32ArrayConstructor | Float64ArrayConstructor;
    if (this.tail.length === CHUNK_SAMPLES) {
      this.full.push(this.tail);
      this.tail = new kind(CHUNK_SAMPLES);
      this.tailLength = 0;
      return;
    }
    const grown = new kind(this.tail.length * 2);
    grown.set(this.tail);
    this.tail = grown;
  }
}

function fitsUint32(thousandths: number): boolean {
  // -0 is kept as a double: a Uint32 would read it back as +0.
  return thousandths >= 0 && thousandths <= MAX_UINT32 && !Object.is(thousandths, -0);
}

/** Bytes hold the number itself; the wider kinds hold thousandths already. */
function copyThousandths(from: Samples, length: number, out: Uint32Array | Float64Array, offset: number): number {
  if (from instanceof Uint8Array) {
    for (let i = 0; i < length; i++) out[offset + i] = (from[i] as number) * MILLI;
  } else {
    out.set(from.subarray(0, length), offset);
  }
  return offset + length;
}

/**
 * Several distributions taken as one (a run's total, from its per-pair
 * parts), without storing every sample twice. The summary sorts, so the
 * order the parts are joined in does not change it.
 */
export class DistributionUnion {
  constructor(private readonly parts: () => readonly Distribution[]) {}

  get count(): number {
    let count = 0;
    for (const part of this.parts()) count += part.count;
    return count;
  }

  summary(): DistributionSummary {
    const all = new Float64Array(this.count);
    const sum = new ExactSum();
    let offset = 0;
    for (const part of this.parts()) {
      offset = part.copyInto(all, offset);
      part.addSumTo(sum);
    }
    return summarize(all, sum);
  }
}

/**
 * Sorts `thousandths` in place and summarises them: each printed figure
 * is a sample's thousandths over 1000, which is exactly round3 of the
 * sample; the mean is round3 of the exact sum over the count.
 */
function summarize(thousandths: Float64Array, sum: ExactSum): DistributionSummary {
  const sorted = thousandths.sort();
  const n = sorted.length;
  // A percentile of nothing is not 0: a reader (or a comparison) must not take it for a measured value.
  if (n === 0) return { count: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, cdf: [], note: NO_SAMPLES };
  const at = (i: number): number => (sorted[i] as number) / MILLI;
  const cdf: Array<[number, number]> = [];
  const step = Math.max(1, Math.floor(n / CDF_POINTS));
  for (let i = step - 1; i < n; i += step) cdf.push([at(i), round3((i + 1) / n)]);
  if (cdf[cdf.length - 1]?.[1] !== 1) cdf.push([at(n - 1), 1]);
  // Nearest-rank percentile: an actual sample, never an interpolation.
  const percentile = (q: number): number => at(Math.max(1, Math.ceil(q * n)) - 1);
  return {
    count: n,
    mean: round3(sum.value / n),
    min: at(0),
    max: at(n - 1),
    p50: percentile(0.5),
    p90: percentile(0.9),
    p95: percentile(0.95),
    p99: percentile(0.99),
    cdf,
  };
}

/** Three decimals keep results.json short and free of float noise. */
export function round3(value: number): number {
  return Math.round(value * MILLI) / MILLI;
}
