/**
 * An int32 -> non-negative int32 map for the public Internet's address
 * table, which holds an entry per public host and NAT (hundreds of
 * thousands, mostly numbered from one pool, so their keys are dense).
 * Keys are split into pages of PAGE_SIZE: a small Map finds the page, an
 * Int32Array slot holds the value (-1: absent). A lookup is one probe into
 * a Map of a few hundred pages, which stays in cache, and one array read,
 * where a Map of every address costs a hash-table walk that misses cache
 * at each step.
 */
const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;
const ABSENT = -1;

export class PagedIntMap {
  private readonly pages = new Map<number, Int32Array>();

  get(key: number): number | undefined {
    const page = this.pages.get(key >> PAGE_BITS);
    if (page === undefined) return undefined;
    const value = page[key & (PAGE_SIZE - 1)] as number;
    return value === ABSENT ? undefined : value;
  }

  set(key: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fff_ffff) throw new RangeError(`PagedIntMap holds non-negative int32 values, got ${value}`);
    if (!Number.isInteger(key) || (key | 0) !== key) throw new RangeError(`PagedIntMap keys are int32, got ${key}`);
    let page = this.pages.get(key >> PAGE_BITS);
    if (page === undefined) {
      page = new Int32Array(PAGE_SIZE).fill(ABSENT);
      this.pages.set(key >> PAGE_BITS, page);
    }
    page[key & (PAGE_SIZE - 1)] = value;
  }

  delete(key: number): boolean {
    const page = this.pages.get(key >> PAGE_BITS);
    if (page === undefined || page[key & (PAGE_SIZE - 1)] === ABSENT) return false;
    page[key & (PAGE_SIZE - 1)] = ABSENT;
    return true;
  }
}
