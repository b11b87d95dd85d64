/**
 * Rows of int32 fields, `stride` to a row, in pages of Int32Array. The
 * Network keeps a row per host and per realm here instead of an object
 * each: at a million peers for a day there are millions of both (the
 * departed keep theirs), and an object with its array slot costs several
 * times its fields. Rows are only ever added; pages grow one at a time,
 * so growth never copies.
 */
const PAGE_BITS = 12;
const PAGE_ROWS = 1 << PAGE_BITS;

export class PagedInts {
  private readonly pages: Int32Array[] = [];
  private rows = 0;

  constructor(
    private readonly stride: number,
    /** What every field of a new row holds. */
    private readonly initial: number,
  ) {
    if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
    if ((initial | 0) !== initial) throw new RangeError(`initial value must be an int32, got ${initial}`);
  }

  get length(): number {
    return this.rows;
  }

  /** A new row, every field `initial`; returns its index. */
  push(): number {
    if (this.rows >>> PAGE_BITS >= this.pages.length) this.pages.push(new Int32Array(PAGE_ROWS * this.stride).fill(this.initial));
    return this.rows++;
  }

  get(row: number, field: number): number {
    return this.page(row)[(row & (PAGE_ROWS - 1)) * this.stride + field] as number;
  }

  set(row: number, field: number, value: number): void {
    this.page(row)[(row & (PAGE_ROWS - 1)) * this.stride + field] = value;
  }

  /** Throws for a row never pushed, as an array of objects would have answered undefined. */
  private page(row: number): Int32Array {
    if (!(row >= 0 && row < this.rows)) throw new RangeError(`no row ${row} (there are ${this.rows})`);
    return this.pages[row >>> PAGE_BITS] as Int32Array;
  }
}
