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

/**
 * Where samples are kept, narrowest first; a tail only ever widens. Past
 * the first, each holds a sample's thousandths, `Math.round(value * 1000)`:
 * every figure the summary prints is a sample rounded to three decimals
 * (round3), and the rounding keeps their order, so the summary is the
 * same as from the samples themselves. The mean is the one figure that
 * needs more: it comes from an exact running sum instead.
 */
const enum Tier {
  /** Whole numbers 0..255 (attempt counts), a byte each, kept as the number itself. */
  Byte,
  /** Thousandths 0..2^24-1 in three bytes, little-endian (latencies up to 16.7 s). */
  Three,
  /** Thousandths 0..2^32-1 (times up to 71 minutes). */
  Four,
  /** Anything else (longer times, negatives, -0, NaN) as a double of thousandths. */
  Double,
}
const BYTES_PER_SAMPLE = [1, 3, 4, 8] as const;

type Chunk = Uint8Array | Uint32Array | Float64Array;

function tierOf(value: number, thousandths: number): Tier {
  if (Number.isInteger(value) && value >= 0 && value <= 255 && !Object.is(value, -0)) return Tier.Byte;
  // -0 goes to doubles: the integer kinds would read it back as +0.
  if (!(thousandths >= 0) || Object.is(thousandths, -0)) return Tier.Double;
  if (thousandths < 2 ** 24) return Tier.Three;
  return thousandths < 2 ** 32 ? Tier.Four : Tier.Double;
}

function newChunk(tier: Tier, samples: number): Chunk {
  if (tier === Tier.Four) return new Uint32Array(samples);
  if (tier === Tier.Double) return new Float64Array(samples);
  return new Uint8Array(samples * BYTES_PER_SAMPLE[tier]);
}

export class Distribution {
  /** Samples fill full chunks of CHUNK_SAMPLES, then a tail that doubles up to that size: a run with a hundred million lookups never holds a doubled copy of them all while it grows. */
  private readonly full: Chunk[] = [];
  private readonly fullTiers: Tier[] = [];
  private tier = Tier.Byte;
  private tail: Chunk = newChunk(Tier.Byte, FIRST_CAPACITY);
  private tailCapacity = FIRST_CAPACITY;
  private tailLength = 0;
  private readonly sum = new ExactSum();

  get count(): number {
    return this.full.length * CHUNK_SAMPLES + this.tailLength;
  }

  add(value: number): void {
    this.sum.add(value);
    const thousandths = thousandthsOf(value);
    const needs = tierOf(value, thousandths);
    if (needs > this.tier) this.widenTail(needs);
    if (this.tailLength === this.tailCapacity) this.growTail();
    store(this.tail, this.tier, this.tailLength++, this.tier === Tier.Byte ? value : thousandths);
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
    this.full.forEach((chunk, i) => (offset = copyThousandths(chunk, this.fullTiers[i] as Tier, CHUNK_SAMPLES, out, offset)));
    return copyThousandths(this.tail, this.tier, this.tailLength, out, offset);
  }

  /** The tail moves to a wider kind, its samples converted; full chunks stay as they are (copyInto reads each by its kind). */
  private widenTail(tier: Tier): void {
    const wider = newChunk(tier, this.tailCapacity);
    const thousandths = new Float64Array(this.tailLength);
    copyThousandths(this.tail, this.tier, this.tailLength, thousandths, 0);
    for (let i = 0; i < this.tailLength; i++) store(wider, tier, i, thousandths[i] as number);
    this.tail = wider;
    this.tier = tier;
  }

  private growTail(): void {
    if (this.tailCapacity === CHUNK_SAMPLES) {
      this.full.push(this.tail);
      this.fullTiers.push(this.tier);
      this.tail = newChunk(this.tier, CHUNK_SAMPLES);
      this.tailCapacity = CHUNK_SAMPLES;
      this.tailLength = 0;
      return;
    }
    const grown = newChunk(this.tier, this.tailCapacity * 2);
    grown.set(this.tail as never);
    this.tail = grown;
    this.tailCapacity *= 2;
  }
}

/** Sample `i` of a chunk of `tier`: the number itself for bytes, else its thousandths. */
function store(chunk: Chunk, tier: Tier, i: number, stored: number): void {
  if (tier === Tier.Three) {
    const at = i * 3;
    chunk[at] = stored & 0xff;
    chunk[at + 1] = (stored >>> 8) & 0xff;
    chunk[at + 2] = stored >>> 16;
  } else {
    chunk[i] = stored;
  }
}

/** Writes `length` samples of `from` into `out` at `offset` as thousandths; returns the offset after them. */
function copyThousandths(from: Chunk, tier: Tier, length: number, out: Float64Array, offset: number): number {
  if (tier === Tier.Byte) {
    for (let i = 0; i < length; i++) out[offset + i] = (from[i] as number) * MILLI;
  } else if (tier === Tier.Three) {
    for (let i = 0, at = 0; i < length; i++, at += 3) out[offset + i] = (from[at] as number) | ((from[at + 1] as number) << 8) | ((from[at + 2] as number) << 16);
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
  return thousandthsOf(value) / MILLI;
}

/** What a Distribution stores of a sample, and round3's numerator: one expression, so a stored sample over 1000 is its round3 exactly. */
function thousandthsOf(value: number): number {
  return Math.round(value * MILLI);
}
