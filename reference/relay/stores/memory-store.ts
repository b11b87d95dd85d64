/**
 * The default store: everything in process memory, nothing kept across a
 * restart. Live broadcasts sit in an email-sorted array so `list` pages
 * are a binary search plus a short scan, even with 100,000 peers.
 */
import type { BroadcastRecord, IdentityRecord, InsertIdentityOutcome, ListQuery, RelayStore } from '../core/types.ts';

export class MemoryStore implements RelayStore {
  readonly description = 'memory (data is not kept: registrations and broadcasts are lost on restart)';
  readonly durable = false;
  private readonly identitiesByEmail = new Map<string, IdentityRecord>();
  private readonly identitiesByFingerprint = new Map<string, IdentityRecord>();
  private readonly broadcasts = new Map<string, BroadcastRecord>();
  /** Emails holding a broadcast row (live or not yet cleaned), ascending. */
  private readonly sortedEmails: string[] = [];

  async insertIdentity(record: IdentityRecord): Promise<InsertIdentityOutcome> {
    if (this.identitiesByEmail.has(record.email)) return 'email_taken';
    if (this.identitiesByFingerprint.has(record.fingerprintSha256)) return 'certificate_taken';
    const copy = { ...record };
    this.identitiesByEmail.set(copy.email, copy);
    this.identitiesByFingerprint.set(copy.fingerprintSha256, copy);
    return 'inserted';
  }

  async findIdentityByFingerprint(fingerprintSha256: string): Promise<IdentityRecord | null> {
    const found = this.identitiesByFingerprint.get(fingerprintSha256);
    return found ? { ...found } : null;
  }

  async putBroadcast(record: BroadcastRecord): Promise<void> {
    if (!this.broadcasts.has(record.email)) {
      this.sortedEmails.splice(lowerBound(this.sortedEmails, record.email), 0, record.email);
    }
    this.broadcasts.set(record.email, cloneBroadcast(record));
  }

  async extendBroadcast(email: string, nowMs: number, expiresAtMs: number): Promise<BroadcastRecord | null> {
    const found = this.broadcasts.get(email);
    if (!found || found.expiresAtMs <= nowMs) return null;
    found.lastSeenMs = nowMs;
    found.expiresAtMs = expiresAtMs;
    return cloneBroadcast(found);
  }

  async findLiveBroadcast(email: string, nowMs: number): Promise<BroadcastRecord | null> {
    const found = this.broadcasts.get(email);
    return found && found.expiresAtMs > nowMs ? cloneBroadcast(found) : null;
  }

  async listLiveBroadcasts(query: ListQuery): Promise<BroadcastRecord[]> {
    const out: BroadcastRecord[] = [];
    let index = query.afterEmail === null ? 0 : upperBound(this.sortedEmails, query.afterEmail);
    for (; index < this.sortedEmails.length && out.length < query.limit; index++) {
      const email = this.sortedEmails[index] as string;
      if (email === query.excludeEmail) continue;
      const broadcast = this.broadcasts.get(email);
      if (broadcast && broadcast.expiresAtMs > query.nowMs) out.push(cloneBroadcast(broadcast));
    }
    return out;
  }

  async deleteExpiredBroadcasts(nowMs: number): Promise<number> {
    let deleted = 0;
    let write = 0;
    for (const email of this.sortedEmails) {
      const broadcast = this.broadcasts.get(email);
      if (broadcast && broadcast.expiresAtMs <= nowMs) {
        this.broadcasts.delete(email);
        deleted++;
      } else {
        this.sortedEmails[write++] = email;
      }
    }
    this.sortedEmails.length = write;
    return deleted;
  }

  async countLiveBroadcasts(nowMs: number): Promise<number> {
    let live = 0;
    for (const broadcast of this.broadcasts.values()) if (broadcast.expiresAtMs > nowMs) live++;
    return live;
  }

  async close(): Promise<void> {}
}

function cloneBroadcast(record: BroadcastRecord): BroadcastRecord {
  return { ...record, addresses: [...record.addresses], capabilities: record.capabilities ? structuredClone(record.capabilities) : null };
}

/** First index whose value is >= key. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
