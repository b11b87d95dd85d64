/**
 * The default store: everything in process memory, nothing kept across a
 * restart.
 *
 * Built for a million identities (the simulator runs it at that scale, and
 * every call's cost is its cache misses, not its instructions):
 * - one Row per registered email holds the identity and its broadcast
 *   together (SPEC READY-6: at most one broadcast per email), so a
 *   heartbeat finds both with the one probe that authenticated it;
 * - a Row's times live in one 64-byte slot of a Float64Array (`times`),
 *   not in boxed numbers scattered over the heap; cleanup and the live
 *   count scan that array in order;
 * - reads hand out fresh record objects built from the Row (callers may
 *   change them; the store is untouched), sharing the frozen address list
 *   and capabilities;
 * - an id that is a canonical UUID (every id the core makes) is kept in
 *   16 bytes of its row's time slot, not as a 56-byte string;
 * - the certificate's PEM is not kept once its validity window is known:
 *   nothing reads it again (authentication compares fingerprints, AUTH-3,
 *   and checks the stored window, AUTH-6), and at a typical 600 bytes it
 *   was the larger part of a row;
 * - `list` needs emails in order, but sorting on every new email would
 *   cost O(n) per registration. New emails wait in an unsorted tail that
 *   is sorted and merged in only when a list or cleanup needs the order.
 */
import type { BroadcastRecord, CertificateReplacement, IdentityRecord, InsertIdentityOutcome, ListQuery, RelayStore, ReplaceCertificateOutcome } from '../core/types.ts';
import { Row, RowTimes } from './memory-rows.ts';

/** Settled answers shared by every call that has one (plain functions, no async frame per call). */
const NONE: Promise<null> = Promise.resolve(null);
const TRUE: Promise<boolean> = Promise.resolve(true);
const FALSE: Promise<boolean> = Promise.resolve(false);
const DONE: Promise<void> = Promise.resolve();

export class MemoryStore implements RelayStore {
  readonly description = 'memory (data is not kept: registrations and broadcasts are lost on restart)';
  readonly durable = false;
  private readonly rowsByEmail = new Map<string, Row>();
  private readonly rowsByFingerprint = new Map<string, Row>();
  /** Row by slot, for the scans over `times`. Identities are never deleted, so slots are never reused. */
  private readonly rows: Row[] = [];
  private readonly times = new RowTimes();
  /**
   * The row the last authentication found. The core authenticates, then
   * acts on the identity's own email (heartbeat, ready, goodbye, renew):
   * that email is this row's, usually the very same string, so the second
   * Map probe (a cache miss or three at scale) is skipped.
   */
  private lastFound: Row | null = null;
  /** Emails holding a broadcast row (live or not yet cleaned), ascending. */
  private sortedEmails: string[] = [];
  /** Emails given a broadcast row since the last merge, in arrival order. */
  private pendingEmails: string[] = [];

  insertIdentity(record: IdentityRecord): Promise<InsertIdentityOutcome> {
    if (this.rowsByEmail.has(record.email)) return Promise.resolve('email_taken');
    if (this.rowsByFingerprint.has(record.fingerprintSha256)) return Promise.resolve('certificate_taken');
    const slot = this.rows.length;
    const windowKnown = record.notBeforeMs !== null && record.notAfterMs !== null;
    this.times.add(slot, record.registeredAtMs, record.notBeforeMs, record.notAfterMs);
    const idText = this.times.packId(slot, record.id) ? null : record.id;
    const row = new Row(record.email, record.fingerprintSha256, idText, windowKnown ? null : record.certificatePem, slot);
    this.rows.push(row);
    this.rowsByEmail.set(row.email, row);
    this.rowsByFingerprint.set(row.fingerprintSha256, row);
    return Promise.resolve('inserted');
  }

  findIdentityByFingerprint(fingerprintSha256: string): Promise<IdentityRecord | null> {
    const row = this.rowsByFingerprint.get(fingerprintSha256);
    if (row === undefined) return NONE;
    this.lastFound = row;
    return Promise.resolve(this.identityOf(row));
  }

  replaceCertificate(email: string, currentFingerprintSha256: string, next: CertificateReplacement): Promise<ReplaceCertificateOutcome> {
    const row = this.rowOf(email);
    if (!row || row.fingerprintSha256 !== currentFingerprintSha256) return Promise.resolve('stale');
    if (this.rowsByFingerprint.has(next.fingerprintSha256)) return Promise.resolve('certificate_taken');
    this.rowsByFingerprint.delete(currentFingerprintSha256);
    row.fingerprintSha256 = next.fingerprintSha256;
    row.certificatePem = null; // the window comes with it
    this.times.setWindow(row.slot, next.notBeforeMs, next.notAfterMs);
    this.rowsByFingerprint.set(row.fingerprintSha256, row);
    return Promise.resolve('replaced');
  }

  putBroadcast(record: BroadcastRecord): Promise<void> {
    const row = this.rowOf(record.email);
    // The core puts only for an identity it authenticated; a store used directly may be handed anything
    // (PostgreSQL refuses it by its foreign key, and so does this store, as a rejection).
    if (!row) return Promise.reject(new Error(`MemoryStore.putBroadcast: ${record.email} is not registered`));
    // Everything that can throw (structuredClone of a value JSON cannot hold) comes before any change.
    let addresses: readonly string[];
    let capabilities: Record<string, unknown> | null;
    try {
      addresses = Object.freeze([...record.addresses]);
      capabilities = record.capabilities ? deepFreeze(structuredClone(record.capabilities)) : null;
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.times.hasBroadcast(row.slot)) this.pendingEmails.push(row.email);
    row.broadcastId = record.broadcastId;
    row.port = record.port;
    row.addresses = addresses;
    row.capabilities = capabilities;
    this.times.setBroadcast(row.slot, record.lastSeenMs, record.expiresAtMs);
    return DONE;
  }

  extendBroadcast(email: string, nowMs: number, expiresAtMs: number): Promise<BroadcastRecord | null> {
    const row = this.rowOf(email);
    if (!row || !this.times.isLive(row.slot, nowMs)) return NONE;
    this.times.setBroadcast(row.slot, nowMs, expiresAtMs);
    return Promise.resolve(this.broadcastOf(row));
  }

  endBroadcast(email: string, nowMs: number): Promise<boolean> {
    const row = this.rowOf(email);
    if (!row || !this.times.isLive(row.slot, nowMs)) return FALSE;
    this.times.setExpiry(row.slot, Math.floor(nowMs));
    return TRUE;
  }

  findLiveBroadcast(email: string, nowMs: number): Promise<BroadcastRecord | null> {
    const row = this.rowsByEmail.get(email);
    if (row === undefined || !this.times.isLive(row.slot, nowMs)) return NONE;
    return Promise.resolve(this.broadcastOf(row));
  }

  async listLiveBroadcasts(query: ListQuery): Promise<BroadcastRecord[]> {
    const sorted = this.settledEmails();
    const out: BroadcastRecord[] = [];
    let index = query.afterEmail === null ? 0 : upperBound(sorted, query.afterEmail);
    for (; index < sorted.length && out.length < query.limit; index++) {
      const email = sorted[index] as string;
      if (email === query.excludeEmail) continue;
      const row = this.rowsByEmail.get(email) as Row;
      if (this.times.isLive(row.slot, query.nowMs)) out.push(this.broadcastOf(row));
    }
    return out;
  }

  async deleteExpiredBroadcasts(nowMs: number): Promise<number> {
    let deleted = 0;
    for (let slot = 0; slot < this.rows.length; slot++) {
      if (!this.times.isExpired(slot, nowMs)) continue;
      this.times.clearBroadcast(slot);
      (this.rows[slot] as Row).clearBroadcast();
      deleted++;
    }
    if (deleted > 0) {
      const held = (email: string) => this.times.hasBroadcast((this.rowsByEmail.get(email) as Row).slot);
      this.sortedEmails = this.sortedEmails.filter(held);
      this.pendingEmails = this.pendingEmails.filter(held);
    }
    return deleted;
  }

  async countLiveBroadcasts(nowMs: number): Promise<number> {
    let live = 0;
    for (let slot = 0; slot < this.rows.length; slot++) if (this.times.isLive(slot, nowMs)) live++;
    return live;
  }

  async close(): Promise<void> {}

  /** The row for `email`: the last authenticated one when it is that email's, else one probe. */
  private rowOf(email: string): Row | undefined {
    const last = this.lastFound;
    if (last !== null && last.email === email) return last;
    return this.rowsByEmail.get(email);
  }

  /* Literals in the record types' declared order, so every record a read hands out shares one hidden class. */
  private identityOf(row: Row): IdentityRecord {
    const t = this.times;
    return { id: row.idText ?? t.packedId(row.slot), email: row.email, fingerprintSha256: row.fingerprintSha256, certificatePem: row.certificatePem, registeredAtMs: t.registeredAtMs(row.slot), notBeforeMs: t.notBeforeMs(row.slot), notAfterMs: t.notAfterMs(row.slot) };
  }

  private broadcastOf(row: Row): BroadcastRecord {
    const t = this.times;
    return { broadcastId: row.broadcastId as string, email: row.email, port: row.port, addresses: row.addresses as string[], capabilities: row.capabilities, lastSeenMs: t.lastSeenMs(row.slot), expiresAtMs: t.expiresAtMs(row.slot) };
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
