/**
 * The simulator's one event queue: a 4-ary min-heap ordered by
 * (timeMs, seq). `seq` is a global insertion counter, so two events at the
 * same virtual millisecond fire in the order they were scheduled, whatever
 * the heap's internal layout: this is what makes runs reproducible.
 *
 * Events are compact 16-byte records in one typed array (one slot each):
 * seq, kind (which handler) and target (a peer/host index), plus an
 * optional payload object. The heap keeps each entry's (time, seq) key inline beside its
 * slot number, so a sift compares neighbouring memory instead of chasing
 * slots across the record arrays: at a million pending events that is the
 * difference between cache hits and a miss per level. Four children per
 * node halve the levels, and the four keys share a cache line or two.
 * Cancellation is lazy: a cancelled entry is skipped when it reaches the top.
 */
const INITIAL_CAPACITY = 1024;
const MAX_SEQ = 0x7fff_ffff;
/** Ints per slot record: seq, kind, target, and one of padding so a record never straddles a cache line. */
const RECORD_INTS = 4;
/** The seq of a free slot or a cancelled event. */
const FREE = -1;

export interface PoppedEvent {
  timeMs: number;
  seq: number;
  kind: number;
  target: number;
  payload: unknown;
}

export class EventQueue {
  /**
   * Per slot, one 16-byte record: [seq, kind, target, unused]. The seq is
   * the slot's current event, or -1 when the slot is free or its event
   * cancelled: a heap entry is live exactly when its inline seq still
   * matches its slot's, so popping reads one record, not five arrays.
   */
  private records = new Int32Array(INITIAL_CAPACITY * RECORD_INTS);
  private payloadOf: unknown[] = new Array<unknown>(INITIAL_CAPACITY).fill(undefined);
  /** The heap: entry i is (heapTime[i], heapSeq[i]) -> slot heapSlot[i]. */
  private heapTime = new Float64Array(INITIAL_CAPACITY);
  private heapSeq = new Int32Array(INITIAL_CAPACITY);
  private heapSlot = new Int32Array(INITIAL_CAPACITY);
  private heapSize = 0;
  private freeSlots: number[] = [];
  private slotCount = 0;
  private nextSeq = 0;
  private liveCount = 0;

  /** Live (not cancelled) events waiting. */
  get size(): number {
    return this.liveCount;
  }

  /** Schedules an event; the returned (slot, seq) identifies it for cancel(). */
  push(timeMs: number, kind: number, target: number, payload?: unknown): EventRef {
    const slot = this.pushSlot(timeMs, kind, target, payload);
    return { slot, seq: this.seqAt(slot) };
  }

  /** push() without the EventRef object: returns the slot; its seq is `seqAt(slot)` until it fires. */
  pushSlot(timeMs: number, kind: number, target: number, payload?: unknown): number {
    if (!(timeMs >= 0) || !Number.isFinite(timeMs)) throw new RangeError(`event time must be a finite non-negative number, got ${timeMs}`);
    if (this.nextSeq === MAX_SEQ) throw new RangeError(`the event queue has used all ${MAX_SEQ} sequence numbers of one run`);
    const slot = this.allocSlot();
    const seq = this.nextSeq++;
    const at = slot * RECORD_INTS;
    this.records[at] = seq;
    this.records[at + 1] = kind;
    this.records[at + 2] = target;
    this.payloadOf[slot] = payload;
    this.siftUp(this.heapSize++, timeMs, seq, slot);
    this.liveCount++;
    return slot;
  }

  seqAt(slot: number): number {
    return this.records[slot * RECORD_INTS] as number;
  }

  /** Cancels a pending event; a no-op when it already fired or was cancelled. */
  cancel(ref: EventRef): boolean {
    const { slot, seq } = ref;
    if (slot >= this.slotCount || seq < 0 || this.seqAt(slot) !== seq) return false;
    this.records[slot * RECORD_INTS] = FREE;
    this.payloadOf[slot] = undefined; // let closures go now, not when the slot surfaces
    this.liveCount--;
    return true;
  }

  /** Time of the earliest live event, or null when none is left. */
  peekTimeMs(): number | null {
    this.dropCancelledTop();
    return this.heapSize === 0 ? null : (this.heapTime[0] as number);
  }

  /** Removes the earliest live event into `out` (reused to avoid allocation); false when empty. */
  popInto(out: PoppedEvent): boolean {
    this.dropCancelledTop();
    if (this.heapSize === 0) return false;
    out.timeMs = this.heapTime[0] as number;
    out.seq = this.heapSeq[0] as number;
    const slot = this.removeTop();
    const at = slot * RECORD_INTS;
    out.kind = this.records[at + 1] as number;
    out.target = this.records[at + 2] as number;
    out.payload = this.payloadOf[slot];
    this.releaseSlot(slot);
    this.liveCount--;
    return true;
  }

  /** Pops heap entries whose slot has moved on (cancelled events), freeing their slots. */
  private dropCancelledTop(): void {
    while (this.heapSize > 0 && this.seqAt(this.heapSlot[0] as number) !== this.heapSeq[0]) this.releaseSlot(this.removeTop());
  }

  private removeTop(): number {
    const top = this.heapSlot[0] as number;
    const last = --this.heapSize;
    if (last > 0) this.siftDown(this.heapTime[last] as number, this.heapSeq[last] as number, this.heapSlot[last] as number);
    return top;
  }

  /** Places key (timeMs, seq) -> slot, starting at the free position `index` and moving up. */
  private siftUp(index: number, timeMs: number, seq: number, slot: number): void {
    const { heapTime, heapSeq, heapSlot } = this;
    while (index > 0) {
      const parent = (index - 1) >> 2;
      const parentTime = heapTime[parent] as number;
      if (parentTime < timeMs || (parentTime === timeMs && (heapSeq[parent] as number) < seq)) break;
      heapTime[index] = parentTime;
      heapSeq[index] = heapSeq[parent] as number;
      heapSlot[index] = heapSlot[parent] as number;
      index = parent;
    }
    heapTime[index] = timeMs;
    heapSeq[index] = seq;
    heapSlot[index] = slot;
  }

  /** Places key (timeMs, seq) -> slot, starting at the free root and moving down. */
  private siftDown(timeMs: number, seq: number, slot: number): void {
    const { heapTime, heapSeq, heapSlot } = this;
    const size = this.heapSize;
    let index = 0;
    for (;;) {
      const first = 4 * index + 1;
      if (first >= size) break;
      let best = first;
      let bestTime = heapTime[first] as number;
      let bestSeq = heapSeq[first] as number;
      const end = Math.min(first + 4, size);
      for (let child = first + 1; child < end; child++) {
        const childTime = heapTime[child] as number;
        if (childTime < bestTime || (childTime === bestTime && (heapSeq[child] as number) < bestSeq)) {
          best = child;
          bestTime = childTime;
          bestSeq = heapSeq[child] as number;
        }
      }
      if (timeMs < bestTime || (timeMs === bestTime && seq < bestSeq)) break;
      heapTime[index] = bestTime;
      heapSeq[index] = bestSeq;
      heapSlot[index] = heapSlot[best] as number;
      index = best;
    }
    heapTime[index] = timeMs;
    heapSeq[index] = seq;
    heapSlot[index] = slot;
  }

  private allocSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.slotCount === this.heapSlot.length) this.grow();
    return this.slotCount++;
  }

  /** A slot whose event fired or surfaced cancelled: free for reuse, and a stale EventRef can no longer cancel whatever reuses it. */
  private releaseSlot(slot: number): void {
    this.records[slot * RECORD_INTS] = FREE;
    this.payloadOf[slot] = undefined;
    this.freeSlots.push(slot);
  }

  private grow(): void {
    const capacity = this.heapSlot.length * 2;
    this.records = growInt(this.records, capacity * RECORD_INTS);
    this.heapTime = growFloat(this.heapTime, capacity);
    this.heapSeq = growInt(this.heapSeq, capacity);
    this.heapSlot = growInt(this.heapSlot, capacity);
    for (let i = this.payloadOf.length; i < capacity; i++) this.payloadOf.push(undefined);
  }
}

/** Identifies one scheduled event for cancellation: the slot plus the seq it held. */
export interface EventRef {
  readonly slot: number;
  readonly seq: number;
}

function growFloat(source: Float64Array<ArrayBuffer>, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(source);
  return next;
}

function growInt(source: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(capacity);
  next.set(source);
  return next;
}
