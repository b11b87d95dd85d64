/**
 * Samples of one measured quantity in a growable Float64Array, summarised
 * once at the end (sorting a typed array is fast and deterministic).
 */
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

type Samples = Float64Array | Uint8Array;

export class Distribution {
  /**
   * Small whole numbers (attempt counts) are kept one byte each; the first
   * sample that is not one moves the tail to doubles. The summary reads
   * the same numbers either way. Samples fill full chunks of
   * CHUNK_SAMPLES, then a tail that doubles up to that size: a run with a
   * hundred million lookups never holds a doubled copy of them all while
   * it grows.
   */
  private full: Samples[] = [];
  private tail: Samples = new Uint8Array(FIRST_CAPACITY);
  private tailLength = 0;
  private compact = true;

  get count(): number {
    return this.full.length * CHUNK_SAMPLES + this.tailLength;
  }

  add(value: number): void {
    if (this.compact && !(Number.isInteger(value) && value >= 0 && value <= 255)) {
      this.tail = Float64Array.from(this.tail); // full chunks stay as they are: copyInto reads bytes as numbers
      this.compact = false;
    }
    if (this.tailLength === this.tail.length) this.growTail();
    this.tail[this.tailLength++] = value;
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
    return summarize(all);
  }

  /** Copies the samples into `out` at `offset`; returns the offset after them. */
  copyInto(out: Float64Array, offset: number): number {
    for (const chunk of this.full) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    out.set(this.tail.subarray(0, this.tailLength), offset);
    return offset + this.tailLength;
  }

  private growTail(): void {
    if (this.tail.length === CHUNK_SAMPLES) {
      this.full.push(this.tail);
      this.tail = this.compact ? new Uint8Array(CHUNK_SAMPLES) : new Float64Array(CHUNK_SAMPLES);
      this.tailLength = 0;
      return;
    }
    const grown = this.compact ? new Uint8Array(this.tail.length * 2) : new Float64Array(this.tail.length * 2);
    grown.set(this.tail);
    this.tail = grown;
  }
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
    let offset = 0;
    for (const part of this.parts()) offset = part.copyInto(all, offset);
    return summarize(all);
  }
}

/** Sorts `samples` in place and summarises them. */
function summarize(samples: Float64Array): DistributionSummary {
  const sorted = samples.sort();
  const n = sorted.length;
  // A percentile of nothing is not 0: a reader (or a comparison) must not take it for a measured value.
  if (n === 0) return { count: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, cdf: [], note: NO_SAMPLES };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  const cdf: Array<[number, number]> = [];
  const step = Math.max(1, Math.floor(n / CDF_POINTS));
  for (let i = step - 1; i < n; i += step) cdf.push([round3(sorted[i] as number), round3((i + 1) / n)]);
  if (cdf[cdf.length - 1]?.[1] !== 1) cdf.push([round3(sorted[n - 1] as number), 1]);
  return {
    count: n,
    mean: round3(sum / n),
    min: round3(sorted[0] as number),
    max: round3(sorted[n - 1] as number),
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    cdf,
  };
}

/** Nearest-rank percentile: an actual sample, never an interpolation. */
function percentile(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return round3(sorted[rank - 1] as number);
}

/** Three decimals keep results.json short and free of float noise. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
