/**
 * The memory store's row layout (see memory-store.ts for why).
 *
 * A Row holds only references and small integers, so V8 keeps every field
 * inside the object (one or two cache lines). Its times are doubles, which
 * V8 would box one by one; they sit instead in RowTimes, eight to a slot,
 * so one 64-byte line holds all of a row's times. The line's spare room
 * holds the identity's id, when it is a canonical UUID (as the core makes
 * them): 16 bytes there instead of a 36-character string of 56 bytes on
 * the heap, for every identity ever registered.
 */
import { hex8 } from '../../shared/rng.ts';

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

const STRIDE = 8; // doubles per slot: 64 bytes, one cache line (typed arrays' buffers are line-aligned)
const REGISTERED = 0;
const NOT_BEFORE = 1;
const NOT_AFTER = 2;
const LAST_SEEN = 3;
/** NaN: no broadcast row (never live, never expired). */
const EXPIRES = 4;
/** The id's four words: doubles 5 and 6 of the line, read as uint32s (never as doubles). */
const ID_WORD = 5 * 2;
const WORDS_PER_SLOT = STRIDE * 2;
/** How RelayCore writes ids: lower-case 8-4-4-4-12 hex. Anything else is kept as text. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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

  /** Packs a canonical UUID into the slot's line; false (nothing written) for any other id, which the Row keeps as text. */
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

  /** The id packId() stored, as the same text. */
  packedId(slot: number): string {
    const words = this.words[slot >> CHUNK_SHIFT] as Uint32Array;
    const at = (slot & CHUNK_MASK) * WORDS_PER_SLOT + ID_WORD;
    const b = hex8(words[at + 1] as number);
    const c = hex8(words[at + 2] as number);
    return hex8(words[at] as number) + '-' + b.slice(0, 4) + '-' + b.slice(4) + '-' + c.slice(0, 4) + '-' + c.slice(4) + hex8(words[at + 3] as number);
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
