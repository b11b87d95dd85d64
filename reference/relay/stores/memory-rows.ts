/**
 * The memory store's row layout (see memory-store.ts for why).
 *
 * A Row holds only references and small integers, so V8 keeps every field
 * inside the object (one or two cache lines). Its times are doubles, which
 * V8 would box one by one; they sit instead in RowTimes, eight to a slot,
 * so one 64-byte slot holds all of a row's times. The slot's spare room
 * holds the identity's id, when it is a canonical UUID (as the core makes
 * them): 16 bytes there instead of a 36-character string of 56 bytes on
 * the heap, for every identity ever registered.
 */

/** One registered email: its identity and its (at most one, SPEC READY-6) broadcast. */
export class Row {
  broadcastId: string | null = null;
  port = 0;
  addresses: readonly string[] | null = null;
  capabilities: Record<string, unknown> | null = null;

  constructor(
    readonly email: string,
    public fingerprintSha256: string,
    /** The id as given when it is not a canonical UUID; null when RowTimes holds it packed. */
    readonly idText: string | null,
    /** Kept only while the validity window is unknown (a caller gave none): then the core reads it from the PEM. */
    public certificatePem: string | null,
    readonly slot: number,
  ) {}

  clearBroadcast(): void {
    this.broadcastId = null;
    this.port = 0;
    this.addresses = null;
    this.capabilities = null;
  }
}

/**
 * Doubles per slot: 64 bytes, though not always one cache line. A chunk's
 * buffer (256 KiB, from calloc) was seen to start 16 bytes past a page
 * boundary here, so a slot's last 16 bytes (half the packed id) sit in the
 * next line. Page-aligned chunks (resizable ArrayBuffers are) measured no
 * faster at 100,000 identities (relay-core-alone, 2.46 and 2.51 us a call
 * against 2.49 and 2.33, on 2026-12-04). That many slots are 6.4 MB, and
 * random reads of them alone cost 7 to 9 ns, cache hits of the 32 MiB
 * last-level cache: the misses that cost are elsewhere, on the heap.
 */
const STRIDE = 8;
const REGISTERED = 0;
const NOT_BEFORE = 1;
const NOT_AFTER = 2;
const LAST_SEEN = 3;
/** NaN: no broadcast row (never live, never expired). */
const EXPIRES = 4;
/** The id's four words: doubles 5 and 6 of the slot, read as uint32s (never as doubles). */
const ID_WORD = 5 * 2;
const WORDS_PER_SLOT = STRIDE * 2;
/** How RelayCore writes ids: lower-case 8-4-4-4-12 hex. Anything else is kept as text. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Where each of a UUID's 16 bytes begins in its 8-4-4-4-12 text; the rest are the dashes. */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const UUID_LENGTH = 36;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** packedId's scratch text: its dashes are written once, its digits on every call. */
const UUID_TEXT = Buffer.alloc(UUID_LENGTH, '-', 'latin1');
/** Slots per chunk: growing by chunks, not by doubling one array, leaves at most one chunk unused. */
const CHUNK_SHIFT = 12;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SLOTS - 1;

/** Every row's times, by slot. A null window is NaN here. */
export class RowTimes {
  private readonly chunks: Float64Array[] = [];
  /** The same buffers as uint32s, for the packed ids. */
  private readonly words: Uint32Array[] = [];

  add(slot: number, registeredAtMs: number, notBeforeMs: number | null, notAfterMs: number | null): void {
    while (slot >> CHUNK_SHIFT >= this.chunks.length) {
      const chunk = new Float64Array(CHUNK_SLOTS * STRIDE);
      this.chunks.push(chunk);
      this.words.push(new Uint32Array(chunk.buffer));
    }
    this.set(slot, REGISTERED, registeredAtMs);
    this.setWindow(slot, notBeforeMs, notAfterMs);
    this.clearBroadcast(slot);
  }

  setWindow(slot: number, notBeforeMs: number | null, notAfterMs: number | null): void {
    this.set(slot, NOT_BEFORE, notBeforeMs ?? Number.NaN);
    this.set(slot, NOT_AFTER, notAfterMs ?? Number.NaN);
  }

  setBroadcast(slot: number, lastSeenMs: number, expiresAtMs: number): void {
    this.set(slot, LAST_SEEN, lastSeenMs);
    this.set(slot, EXPIRES, expiresAtMs);
  }

  setExpiry(slot: number, expiresAtMs: number): void {
    this.set(slot, EXPIRES, expiresAtMs);
  }

  clearBroadcast(slot: number): void {
    this.set(slot, LAST_SEEN, Number.NaN);
    this.set(slot, EXPIRES, Number.NaN);
  }

  hasBroadcast(slot: number): boolean {
    return !Number.isNaN(this.get(slot, EXPIRES));
  }

  /** SPEC EXP-1: live while now < expiresAt. */
  isLive(slot: number, nowMs: number): boolean {
    return this.get(slot, EXPIRES) > nowMs;
  }

  /** A broadcast row whose expiry has come (false for none: NaN compares false). */
  isExpired(slot: number, nowMs: number): boolean {
    return this.get(slot, EXPIRES) <= nowMs;
  }

  registeredAtMs(slot: number): number {
    return this.get(slot, REGISTERED);
  }

  notBeforeMs(slot: number): number | null {
    return nullIfNaN(this.get(slot, NOT_BEFORE));
  }

  notAfterMs(slot: number): number | null {
    return nullIfNaN(this.get(slot, NOT_AFTER));
  }

  lastSeenMs(slot: number): number {
    return this.get(slot, LAST_SEEN);
  }

  expiresAtMs(slot: number): number {
    return this.get(slot, EXPIRES);
  }

  /** Packs a canonical UUID into the row's slot; false (nothing written) for any other id, which the Row keeps as text. */
  packId(slot: number, id: string): boolean {
    if (!CANONICAL_UUID.test(id)) return false;
    const words = this.words[slot >> CHUNK_SHIFT] as Uint32Array;
    const at = (slot & CHUNK_MASK) * WORDS_PER_SLOT + ID_WORD;
    words[at] = parseInt(id.slice(0, 8), 16);
    words[at + 1] = parseInt(id.slice(9, 13) + id.slice(14, 18), 16);
    words[at + 2] = parseInt(id.slice(19, 23) + id.slice(24, 28), 16);
    words[at + 3] = parseInt(id.slice(28, 36), 16);
    return true;
  }

  /** The id packId() stored, as the same text: written into one buffer and read as one flat string (half the time of joining ten pieces). */
  packedId(slot: number): string {
    const words = this.words[slot >> CHUNK_SHIFT] as Uint32Array;
    const at = (slot & CHUNK_MASK) * WORDS_PER_SLOT + ID_WORD;
    for (let w = 0; w < 4; w++) {
      const word = words[at + w] as number;
      for (let b = 0; b < 4; b++) {
        const byte = (word >>> (24 - 8 * b)) & 255;
        const to = UUID_BYTE_AT[w * 4 + b] as number;
        UUID_TEXT[to] = HEX_DIGITS[byte >> 4] as number;
        UUID_TEXT[to + 1] = HEX_DIGITS[byte & 15] as number;
      }
    }
    return UUID_TEXT.toString('latin1', 0, UUID_LENGTH);
  }

  private get(slot: number, field: number): number {
    return (this.chunks[slot >> CHUNK_SHIFT] as Float64Array)[(slot & CHUNK_MASK) * STRIDE + field] as number;
  }

  private set(slot: number, field: number, value: number): void {
    (this.chunks[slot >> CHUNK_SHIFT] as Float64Array)[(slot & CHUNK_MASK) * STRIDE + field] = value;
  }
}

function nullIfNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
