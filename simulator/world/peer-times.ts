/**
 * Every simulated peer's times (elapsed ms, NaN for "not yet"), packed
 * eight to a peer in pages of Float64Array. A double in a plain object
 * field is boxed by V8 (a 16-byte heap number behind an 8-byte pointer):
 * seven of them cost a peer 168 bytes, here 64. Peers are never removed
 * (the departed stay looked up), so pages only grow.
 */
export const JOINED = 0;
export const DIED = 1;
export const GOODBYE = 2;
export const FIRST_DISCOVERABLE = 3;
export const LAST_REFRESH = 4;
export const LISTED_UNTIL = 5;
export const ADDRESSES_SINCE = 6;

const STRIDE = 8; // seven used, eight keeps a peer's times inside one 64-byte line
const PAGE_BITS = 12;
const PAGE_PEERS = 1 << PAGE_BITS;

export class PeerTimes {
  private readonly pages: Float64Array[] = [];

  get(index: number, field: number): number {
    return this.page(index)[(index & (PAGE_PEERS - 1)) * STRIDE + field] as number;
  }

  set(index: number, field: number, valueMs: number): void {
    this.page(index)[(index & (PAGE_PEERS - 1)) * STRIDE + field] = valueMs;
  }

  /** Gives peer `index` its slot, every time NaN. */
  add(index: number): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`peer index must be a non-negative integer, got ${index}`);
    const pageIndex = index >>> PAGE_BITS;
    while (this.pages.length <= pageIndex) this.pages.push(new Float64Array(PAGE_PEERS * STRIDE).fill(Number.NaN));
  }

  private page(index: number): Float64Array {
    const page = this.pages[index >>> PAGE_BITS];
    if (page === undefined) throw new RangeError(`peer ${index} has no times slot (add it first)`);
    return page;
  }
}
