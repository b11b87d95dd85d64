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
import type { BroadcastRecord, IdentityRecord, InsertIdentityOutcome, ListQuery, RelayStore } from '../core/types.ts';

export class MemoryStore implements RelayStore {
  readonly description = 'memory (data is not kept: registrations and broadcasts are lost on restart)';
  readonly durable = false;
  private readonly identitiesByEmail = new Map<string, IdentityRecord>();
  private readonly identitiesByFingerprint = new Map<string, IdentityRecord>();
  private readonly broadcasts = new Map<string, BroadcastRecord>();
  /** Emails holding a broadcast row (live or not yet cleaned), ascending. */
  private sortedEmails: string[] = [];
  /** Emails added since the last merge, in arrival order. */
  private pendingEmails: string[] = [];

  async insertIdentity(record: IdentityRecord): Promise<InsertIdentityOutcome> {
    if (this.identitiesByEmail.has(record.email)) return 'email_taken';
    if (this.identitiesByFingerprint.has(record.fingerprintSha256)) return 'certificate_taken';
    const frozen = Object.freeze({ ...record });
    this.identitiesByEmail.set(frozen.email, frozen);
    this.identitiesByFingerprint.set(frozen.fingerprintSha256, frozen);
    return 'inserted';
  }

  async findIdentityByFingerprint(fingerprintSha256: string): Promise<IdentityRecord | null> {
    return this.identitiesByFingerprint.get(fingerprintSha256) ?? null;
  }

  async putBroadcast(record: BroadcastRecord): Promise<void> {
    if (!this.broadcasts.has(record.email)) this.pendingEmails.push(record.email);
    this.broadcasts.set(record.email, freezeBroadcast(record));
  }

  async extendBroadcast(email: string, nowMs: number, expiresAtMs: number): Promise<BroadcastRecord | null> {
    const found = this.broadcasts.get(email);
    if (!found || found.expiresAtMs <= nowMs) return null;
    // Addresses and capabilities are already frozen: share them.
    const extended = Object.freeze({ ...found, lastSeenMs: nowMs, expiresAtMs });
    this.broadcasts.set(email, extended);
    return extended;
  }

  async findLiveBroadcast(email: string, nowMs: number): Promise<BroadcastRecord | null> {
    const found = this.broadcasts.get(email);
    return found && found.expiresAtMs > nowMs ? found : null;
  }

  async listLiveBroadcasts(query: ListQuery): Promise<BroadcastRecord[]> {
    const sorted = this.settledEmails();
    const out: BroadcastRecord[] = [];
    let index = query.afterEmail === null ? 0 : upperBound(sorted, query.afterEmail);
    for (; index < sorted.length && out.length < query.limit; index++) {
      const email = sorted[index] as string;
      if (email === query.excludeEmail) continue;
      const broadcast = this.broadcasts.get(email);
      if (broadcast && broadcast.expiresAtMs > query.nowMs) out.push(broadcast);
    }
    return out;
  }

  async deleteExpiredBroadcasts(nowMs: number): Promise<number> {
    const before = this.broadcasts.size;
    for (const [email, broadcast] of this.broadcasts) if (broadcast.expiresAtMs <= nowMs) this.broadcasts.delete(email);
    const deleted = before - this.broadcasts.size;
    if (deleted > 0) {
      this.sortedEmails = this.sortedEmails.filter((email) => this.broadcasts.has(email));
      this.pendingEmails = this.pendingEmails.filter((email) => this.broadcasts.has(email));
    }
    return deleted;
  }

  async countLiveBroadcasts(nowMs: number): Promise<number> {
    let live = 0;
    for (const broadcast of this.broadcasts.values()) if (broadcast.expiresAtMs > nowMs) live++;
    return live;
  }

  async close(): Promise<void> {}

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
  return Object.freeze({
    ...record,
    addresses: Object.freeze([...record.addresses]) as string[],
    capabilities: record.capabilities ? deepFreeze(structuredClone(record.capabilities)) : null,
  });
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
