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
 *
 * Lanes: events pushed with pushAfter() and a delay the queue has seen
 * before go to a FIFO for that delay instead of the heap. With one delay,
 * a later push is due no earlier (the clock never goes back) and has a
 * higher seq, so each FIFO is already in (timeMs, seq) order, and the
 * earliest event is the least of the heap's top and the lanes' heads: the
 * same order a heap alone gives. Timers are the case (a run sets hundreds
 * of thousands with three or four delays: request and attempt timeouts,
 * heartbeats) and most are cancelled, which in a heap costs a full sift
 * when they surface and in a FIFO a step of its head.
 */
const INITIAL_CAPACITY = 1024;
const MAX_SEQ = 0x7fff_ffff;
/** Ints per slot record: seq, kind, target, and one of padding so a record never straddles a cache line. */
const RECORD_INTS = 4;
/** The seq of a free slot or a cancelled event. */
const FREE = -1;
/** At most this many lanes (distinct delays); events with any other delay go to the heap. */
const MAX_LANES = 8;
/** Where the earliest event is: a lane index >= 0, the heap, or nowhere. */
const FROM_HEAP = -1;
const EMPTY = -2;

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
  private readonly lanes: Lane[] = [];
  private readonly laneByDelay = new Map<number, Lane>();

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
    this.writeRecord(slot, seq, kind, target, payload);
    this.siftUp(this.heapSize++, timeMs, seq, slot);
    this.liveCount++;
    return slot;
  }

  /**
   * pushSlot() for an event due `delayMs` after now (`timeMs` is now plus
   * that): in the FIFO lane for that delay when there is one, else in the heap.
   */
  pushAfter(delayMs: number, timeMs: number, kind: number, target: number, payload?: unknown): number {
    const lane = this.laneFor(delayMs);
    // A time earlier than the lane's last would break its order (a caller whose "now" went back): the heap takes it.
    // (pushSlot also refuses what no event may have: a negative or non-finite time.)
    if (lane === null || !(timeMs >= lane.lastTimeMs) || !(timeMs >= 0) || !Number.isFinite(timeMs)) return this.pushSlot(timeMs, kind, target, payload);
    if (this.nextSeq === MAX_SEQ) throw new RangeError(`the event queue has used all ${MAX_SEQ} sequence numbers of one run`);
    const slot = this.allocSlot();
    const seq = this.nextSeq++;
    this.writeRecord(slot, seq, kind, target, payload);
    lane.push(timeMs, seq, slot);
    this.liveCount++;
    return slot;
  }

  private laneFor(delayMs: number): Lane | null {
    const lane = this.laneByDelay.get(delayMs);
    if (lane !== undefined || this.lanes.length === MAX_LANES) return lane ?? null;
    const created = new Lane();
    this.lanes.push(created);
    this.laneByDelay.set(delayMs, created);
    return created;
  }

  private writeRecord(slot: number, seq: number, kind: number, target: number, payload: unknown): void {
    const at = slot * RECORD_INTS;
    this.records[at] = seq;
    this.records[at + 1] = kind;
    this.records[at + 2] = target;
    this.payloadOf[slot] = payload;
  }

  seqAt(slot: number): number {
    return this.records[slot * RECORD_INTS] as number;
  }

  /** Cancels a pending event; a no-op when it already fired or was cancelled. */
  cancel(ref: EventRef): boolean {
    return this.cancelAt(ref.slot, ref.seq);
  }

  /** cancel() by the two numbers an EventRef holds, for a holder that keeps them as plain fields (no object per event). */
  cancelAt(slot: number, seq: number): boolean {
    if (slot >= this.slotCount || seq < 0 || this.seqAt(slot) !== seq) return false;
    this.records[slot * RECORD_INTS] = FREE;
    this.payloadOf[slot] = undefined; // let closures go now, not when the slot surfaces
    this.liveCount--;
    return true;
  }

  /** Time of the earliest live event, or null when none is left. */
  peekTimeMs(): number | null {
    const from = this.earliest();
    if (from === EMPTY) return null;
    return from === FROM_HEAP ? (this.heapTime[0] as number) : (this.lanes[from] as Lane).headTimeMs();
  }

  /** Removes the earliest live event into `out` (reused to avoid allocation); false when empty. */
  popInto(out: PoppedEvent): boolean {
    const from = this.earliest();
    if (from === EMPTY) return false;
    let slot: number;
    if (from === FROM_HEAP) {
      out.timeMs = this.heapTime[0] as number;
      out.seq = this.heapSeq[0] as number;
      slot = this.removeTop();
    } else {
      const lane = this.lanes[from] as Lane;
      out.timeMs = lane.headTimeMs();
      out.seq = lane.headSeq();
      slot = lane.shift();
    }
    const at = slot * RECORD_INTS;
    out.kind = this.records[at + 1] as number;
    out.target = this.records[at + 2] as number;
    out.payload = this.payloadOf[slot];
    this.releaseSlot(slot);
    this.liveCount--;
    return true;
  }

  /** Drops cancelled entries from the heap's top and every lane's head, then says which holds the earliest event. */
  private earliest(): number {
    this.dropCancelledTop();
    let from = this.heapSize === 0 ? EMPTY : FROM_HEAP;
    let bestTime = from === EMPTY ? 0 : (this.heapTime[0] as number);
    let bestSeq = from === EMPTY ? 0 : (this.heapSeq[0] as number);
    for (let i = 0; i < this.lanes.length; i++) {
      const lane = this.lanes[i] as Lane;
      while (lane.size > 0 && this.seqAt(lane.headSlot()) !== lane.headSeq()) this.releaseSlot(lane.shift());
      if (lane.size === 0) continue;
      const time = lane.headTimeMs();
      const seq = lane.headSeq();
      if (from === EMPTY || time < bestTime || (time === bestTime && seq < bestSeq)) {
        from = i;
        bestTime = time;
        bestSeq = seq;
      }
    }
    return from;
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

/** One FIFO of (timeMs, seq, slot) entries in push order: a ring buffer on typed arrays that doubles when full. */
class Lane {
  private times = new Float64Array(INITIAL_CAPACITY);
  private seqs = new Int32Array(INITIAL_CAPACITY);
  private slots = new Int32Array(INITIAL_CAPACITY);
  private head = 0;
  size = 0;
  /** The last pushed time: a push earlier than this would break the FIFO's order. */
  lastTimeMs = Number.NEGATIVE_INFINITY;

  push(timeMs: number, seq: number, slot: number): void {
    if (this.size === this.times.length) this.grow();
    const at = (this.head + this.size) & (this.times.length - 1);
    this.times[at] = timeMs;
    this.seqs[at] = seq;
    this.slots[at] = slot;
    this.size++;
    this.lastTimeMs = timeMs;
  }

  headTimeMs(): number {
    return this.times[this.head] as number;
  }

  headSeq(): number {
    return this.seqs[this.head] as number;
  }

  headSlot(): number {
    return this.slots[this.head] as number;
  }

  /** Removes the head; returns its slot. */
  shift(): number {
    const slot = this.slots[this.head] as number;
    this.head = (this.head + 1) & (this.times.length - 1);
    this.size--;
    return slot;
  }

  /** Doubles the ring, its entries moved to the front in order (capacity stays a power of two for the mask). */
  private grow(): void {
    const capacity = this.times.length;
    const times = new Float64Array(capacity * 2);
    const seqs = new Int32Array(capacity * 2);
    const slots = new Int32Array(capacity * 2);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) & (capacity - 1);
      times[i] = this.times[from] as number;
      seqs[i] = this.seqs[from] as number;
      slots[i] = this.slots[from] as number;
    }
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
    this.head = 0;
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
