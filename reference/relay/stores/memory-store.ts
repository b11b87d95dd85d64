/**
 * The default store: everything in process memory, nothing kept across a
 * restart.
 *
 * Built for 100,000s of peers (the simulator runs it at that scale):
 * - records are frozen once when written and handed out as they are, so a
 *   read allocates nothing and no caller can change what is stored;
 * - `list` needs emails in order, but sorting on every new email would
 *   cost O(n) per registration. New emails wait in an unsorted tail that
 *   is sorted and merged in only when a list or cleanup needs the order.
 */
import type { BroadcastRecord, CertificateReplacement, IdentityRecord, InsertIdentityOutcome, ListQuery, RelayStore, ReplaceCertificateOutcome } from '../core/types.ts';

/**
 * The hot reads are plain functions returning settled promises rather than
 * `async` ones (same values, same number of ticks for an awaiting caller,
 * no async frame per call); none of them can throw. A shared settled
 * "nothing" serves every miss.
 */
const NONE: Promise<null> = Promise.resolve(null);

export class MemoryStore implements RelayStore {
  readonly description = 'memory (data is not kept: registrations and broadcasts are lost on restart)';
  readonly durable = false;
  private readonly identitiesByEmail = new Map<string, IdentityRecord>();
  private readonly identitiesByFingerprint = new Map<string, IdentityRecord>();
  /**
   * Broadcast rows live in slots: email -> slot, the record in `records`,
   * and its expiry copied into a typed array, so the periodic scans
   * (cleanup, live count) read one packed column instead of walking the
   * Map's records. A free slot's expiry is NaN: never live, never expired.
   */
  private readonly slotByEmail = new Map<string, number>();
  private records: Array<BroadcastRecord | undefined> = [];
  private expiries = new Float64Array(1024);
  private slotCount = 0;
  private freeSlots: number[] = [];
  /** Emails holding a broadcast row (live or not yet cleaned), ascending. */
  private sortedEmails: string[] = [];
  /** Emails added since the last merge, in arrival order. */
  private pendingEmails: string[] = [];

  insertIdentity(record: IdentityRecord): Promise<InsertIdentityOutcome> {
    if (this.identitiesByEmail.has(record.email)) return Promise.resolve('email_taken');
    if (this.identitiesByFingerprint.has(record.fingerprintSha256)) return Promise.resolve('certificate_taken');
    const frozen = Object.freeze(copyIdentity(record));
    this.identitiesByEmail.set(frozen.email, frozen);
    this.identitiesByFingerprint.set(frozen.fingerprintSha256, frozen);
    return Promise.resolve('inserted');
  }

  findIdentityByFingerprint(fingerprintSha256: string): Promise<IdentityRecord | null> {
    return Promise.resolve(this.identitiesByFingerprint.get(fingerprintSha256) ?? null);
  }

  replaceCertificate(email: string, currentFingerprintSha256: string, next: CertificateReplacement): Promise<ReplaceCertificateOutcome> {
    const current = this.identitiesByEmail.get(email);
    if (!current || current.fingerprintSha256 !== currentFingerprintSha256) return Promise.resolve('stale');
    if (this.identitiesByFingerprint.has(next.fingerprintSha256)) return Promise.resolve('certificate_taken');
    const renewed = Object.freeze(copyIdentity({ ...current, ...next }));
    this.identitiesByFingerprint.delete(currentFingerprintSha256);
    this.identitiesByEmail.set(email, renewed);
    this.identitiesByFingerprint.set(renewed.fingerprintSha256, renewed);
    return Promise.resolve('replaced');
  }

  async putBroadcast(record: BroadcastRecord): Promise<void> {
    const frozen = freezeBroadcast(record);
    let slot = this.slotByEmail.get(frozen.email);
    if (slot === undefined) {
      this.pendingEmails.push(frozen.email);
      slot = this.allocSlot();
      this.slotByEmail.set(frozen.email, slot);
    }
    this.records[slot] = frozen;
    this.expiries[slot] = frozen.expiresAtMs;
  }

  extendBroadcast(email: string, nowMs: number, expiresAtMs: number): Promise<BroadcastRecord | null> {
    const slot = this.slotByEmail.get(email);
    if (slot === undefined) return NONE;
    const found = this.records[slot] as BroadcastRecord;
    if (found.expiresAtMs <= nowMs) return NONE;
    // Addresses and capabilities are already frozen: share them.
    const copy = copyBroadcast(found);
    copy.lastSeenMs = nowMs;
    copy.expiresAtMs = expiresAtMs;
    const extended = Object.freeze(copy);
    this.records[slot] = extended;
    this.expiries[slot] = extended.expiresAtMs;
    return Promise.resolve(extended);
  }

  endBroadcast(email: string, nowMs: number): Promise<boolean> {
    const slot = this.slotByEmail.get(email);
    if (slot === undefined) return Promise.resolve(false);
    const found = this.records[slot] as BroadcastRecord;
    if (found.expiresAtMs <= nowMs) return Promise.resolve(false);
    const copy = copyBroadcast(found);
    copy.expiresAtMs = Math.floor(nowMs);
    this.records[slot] = Object.freeze(copy);
    this.expiries[slot] = copy.expiresAtMs;
    return Promise.resolve(true);
  }

  findLiveBroadcast(email: string, nowMs: number): Promise<BroadcastRecord | null> {
    const slot = this.slotByEmail.get(email);
    if (slot === undefined) return NONE;
    const found = this.records[slot] as BroadcastRecord;
    return found.expiresAtMs > nowMs ? Promise.resolve(found) : NONE;
  }

  async listLiveBroadcasts(query: ListQuery): Promise<BroadcastRecord[]> {
    const sorted = this.settledEmails();
    const out: BroadcastRecord[] = [];
    let index = query.afterEmail === null ? 0 : upperBound(sorted, query.afterEmail);
    for (; index < sorted.length && out.length < query.limit; index++) {
      const email = sorted[index] as string;
      if (email === query.excludeEmail) continue;
      const slot = this.slotByEmail.get(email);
      const broadcast = slot === undefined ? undefined : this.records[slot];
      if (broadcast && broadcast.expiresAtMs > query.nowMs) out.push(broadcast);
    }
    return out;
  }

  async deleteExpiredBroadcasts(nowMs: number): Promise<number> {
    const expiries = this.expiries;
    let deleted = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (!((expiries[slot] as number) <= nowMs)) continue; // live, or a free slot (NaN)
      const record = this.records[slot] as BroadcastRecord;
      this.slotByEmail.delete(record.email);
      this.releaseSlot(slot);
      deleted++;
    }
    if (deleted > 0) {
      this.sortedEmails = this.sortedEmails.filter((email) => this.slotByEmail.has(email));
      this.pendingEmails = this.pendingEmails.filter((email) => this.slotByEmail.has(email));
    }
    return deleted;
  }

  async countLiveBroadcasts(nowMs: number): Promise<number> {
    const expiries = this.expiries;
    let live = 0;
    for (let slot = 0; slot < this.slotCount; slot++) if ((expiries[slot] as number) > nowMs) live++;
    return live;
  }

  async close(): Promise<void> {}

  private allocSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.slotCount === this.expiries.length) {
      const grown = new Float64Array(this.expiries.length * 2);
      grown.set(this.expiries);
      this.expiries = grown;
    }
    return this.slotCount++;
  }

  private releaseSlot(slot: number): void {
    this.records[slot] = undefined;
    this.expiries[slot] = Number.NaN;
    this.freeSlots.push(slot);
  }

  /** The sorted index with every pending email merged in. */
  private settledEmails(): string[] {
    if (this.pendingEmails.length > 0) {
      const pending = this.pendingEmails.sort();
      this.pendingEmails = [];
      this.sortedEmails = mergeSorted(this.sortedEmails, pending);
    }
    return this.sortedEmails;
  }
}

function freezeBroadcast(record: BroadcastRecord): BroadcastRecord {
  const copy = copyBroadcast(record);
  copy.addresses = Object.freeze([...record.addresses]) as string[];
  copy.capabilities = record.capabilities ? deepFreeze(structuredClone(record.capabilities)) : null;
  return Object.freeze(copy);
}

/*
 * Shallow copies of a row's fields (the record types' fields, in their
 * declared order: what the PostgreSQL store keeps too), written as
 * literals rather than `{ ...record }`: V8 gives every frozen copy of a
 * spread object its own hidden class (several hundred bytes per row, and
 * megamorphic reads in the core), and a literal holds all its fields
 * in-object instead of spilling the last ones to a separate array.
 */
function copyIdentity(r: IdentityRecord): IdentityRecord {
  return { id: r.id, email: r.email, fingerprintSha256: r.fingerprintSha256, certificatePem: r.certificatePem, registeredAtMs: r.registeredAtMs, notBeforeMs: r.notBeforeMs, notAfterMs: r.notAfterMs };
}

function copyBroadcast(r: BroadcastRecord): BroadcastRecord {
  return { broadcastId: r.broadcastId, email: r.email, port: r.port, addresses: r.addresses, capabilities: r.capabilities, lastSeenMs: r.lastSeenMs, expiresAtMs: r.expiresAtMs };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function mergeSorted(a: string[], b: string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as string) <= (b[j] as string) ? (a[i++] as string) : (b[j++] as string);
  while (i < a.length) out[k++] = a[i++] as string;
  while (j < b.length) out[k++] = b[j++] as string;
  return out;
}

/** First index whose value is > key. */
function upperBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
