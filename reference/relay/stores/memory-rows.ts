/**
 * The memory store's row layout (see memory-store.ts for why).
 *
 * A Row holds only references and small integers, so V8 keeps every field
 * inside the object (one or two cache lines). Its times are doubles, which
 * V8 would box one by one; they sit instead in RowTimes, eight to a slot,
 * so one 64-byte line holds all of a row's times.
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
    readonly id: string,
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

const STRIDE = 8; // doubles per slot: 64 bytes, one cache line when the buffer is line-aligned
const REGISTERED = 0;
const NOT_BEFORE = 1;
const NOT_AFTER = 2;
const LAST_SEEN = 3;
/** NaN: no broadcast row (never live, never expired). */
const EXPIRES = 4;
const INITIAL_SLOTS = 1024;

/** Every row's times, by slot. A null window is NaN here. */
export class RowTimes {
  private values = new Float64Array(INITIAL_SLOTS * STRIDE);

  add(slot: number, registeredAtMs: number, notBeforeMs: number | null, notAfterMs: number | null): void {
    if ((slot + 1) * STRIDE > this.values.length) this.grow();
    const at = slot * STRIDE;
    this.values[at + REGISTERED] = registeredAtMs;
    this.setWindow(slot, notBeforeMs, notAfterMs);
    this.clearBroadcast(slot);
  }

  setWindow(slot: number, notBeforeMs: number | null, notAfterMs: number | null): void {
    const at = slot * STRIDE;
    this.values[at + NOT_BEFORE] = notBeforeMs ?? Number.NaN;
    this.values[at + NOT_AFTER] = notAfterMs ?? Number.NaN;
  }

  setBroadcast(slot: number, lastSeenMs: number, expiresAtMs: number): void {
    const at = slot * STRIDE;
    this.values[at + LAST_SEEN] = lastSeenMs;
    this.values[at + EXPIRES] = expiresAtMs;
  }

  setExpiry(slot: number, expiresAtMs: number): void {
    this.values[slot * STRIDE + EXPIRES] = expiresAtMs;
  }

  clearBroadcast(slot: number): void {
    this.values[slot * STRIDE + LAST_SEEN] = Number.NaN;
    this.values[slot * STRIDE + EXPIRES] = Number.NaN;
  }

  hasBroadcast(slot: number): boolean {
    return !Number.isNaN(this.values[slot * STRIDE + EXPIRES] as number);
  }

  /** SPEC EXP-1: live while now < expiresAt. */
  isLive(slot: number, nowMs: number): boolean {
    return (this.values[slot * STRIDE + EXPIRES] as number) > nowMs;
  }

  /** A broadcast row whose expiry has come (false for none: NaN compares false). */
  isExpired(slot: number, nowMs: number): boolean {
    return (this.values[slot * STRIDE + EXPIRES] as number) <= nowMs;
  }

  registeredAtMs(slot: number): number {
    return this.values[slot * STRIDE + REGISTERED] as number;
  }

  notBeforeMs(slot: number): number | null {
    return nullIfNaN(this.values[slot * STRIDE + NOT_BEFORE] as number);
  }

  notAfterMs(slot: number): number | null {
    return nullIfNaN(this.values[slot * STRIDE + NOT_AFTER] as number);
  }

  lastSeenMs(slot: number): number {
    return this.values[slot * STRIDE + LAST_SEEN] as number;
  }

  expiresAtMs(slot: number): number {
    return this.values[slot * STRIDE + EXPIRES] as number;
  }

  private grow(): void {
    const grown = new Float64Array(this.values.length * 2);
    grown.set(this.values);
    this.values = grown;
  }
}

function nullIfNaN(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
