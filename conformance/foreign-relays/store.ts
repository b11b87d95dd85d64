/**
 * The "database": two plain tables in memory, peers and broadcasts.
 * Expired broadcasts are deleted by a sweep that runs before every query,
 * the way a cleanup job would; with no grace the sweep removes a row at
 * exactly now >= t + TTL (SPEC EXP-1..EXP-3). expiryGraceSeconds delays the
 * sweep, which is the defect.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HttpError } from './errors.ts';

export interface PeerRow {
  id: string;
  email: string;
  /** SHA-256 fingerprint of the DER (or, with pemTextIdentity, the PEM text). */
  certKey: string;
  createdAtMs: number;
}

export interface BroadcastRow {
  id: string;
  email: string;
  port: number;
  addresses: string[];
  capabilities: Record<string, unknown> | null;
  /** Instant of the last accepted ready or heartbeat (SPEC terms: t). */
  lastSeenMs: number;
}

export interface BroadcastInput {
  port: number;
  addresses: string[];
  capabilities: Record<string, unknown> | null;
}

export class MemoryTables {
  private readonly peersByEmail = new Map<string, PeerRow>();
  private readonly peersByCertKey = new Map<string, PeerRow>();
  private readonly broadcasts = new Map<string, BroadcastRow>();
  private broadcastCounter = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly graceMs: number,
  ) {}

  /** SPEC REG-7: email uniqueness first (same cert + same email is email_taken), then the certificate. */
  insertPeer(email: string, certKey: string, nowMs: number): PeerRow {
    if (this.peersByEmail.has(email)) throw new HttpError('email_taken', `${email} is already registered`);
    if (this.peersByCertKey.has(certKey)) throw new HttpError('certificate_already_registered', 'this certificate is already registered under another email');
    const row: PeerRow = { id: randomUUID(), email, certKey, createdAtMs: nowMs };
    this.peersByEmail.set(email, row);
    this.peersByCertKey.set(certKey, row);
    return row;
  }

  peerByCertKey(certKey: string): PeerRow | null {
    return this.peersByCertKey.get(certKey) ?? null;
  }

  /** SPEC READY-6: one broadcast per identity; a new ready replaces every field. */
  upsertBroadcast(email: string, input: BroadcastInput, nowMs: number): BroadcastRow {
    this.broadcastCounter += 1;
    const row: BroadcastRow = {
      id: `bc-${this.broadcastCounter.toString(36)}-${randomBytes(4).toString('hex')}`,
      email,
      port: input.port,
      addresses: [...input.addresses],
      capabilities: input.capabilities,
      lastSeenMs: nowMs,
    };
    this.broadcasts.set(email, row);
    return row;
  }

  /** SPEC HB-1, HB-4: only the time moves; null when there is no live row (HB-3). */
  touchBroadcast(email: string, nowMs: number): BroadcastRow | null {
    this.sweep(nowMs);
    const row = this.broadcasts.get(email);
    if (!row) return null;
    row.lastSeenMs = nowMs;
    return row;
  }

  findBroadcast(email: string, nowMs: number): BroadcastRow | null {
    this.sweep(nowMs);
    return this.broadcasts.get(email) ?? null;
  }

  /** SPEC LIST-3: sorted by the UTF-8 bytes of the email. */
  allBroadcasts(nowMs: number): BroadcastRow[] {
    this.sweep(nowMs);
    return [...this.broadcasts.values()].sort((a, b) => Buffer.compare(Buffer.from(a.email, 'utf8'), Buffer.from(b.email, 'utf8')));
  }

  expiresAtMs(row: BroadcastRow): number {
    return row.lastSeenMs + this.ttlMs;
  }

  /** The cleanup job: rows whose expiry (plus the grace, if any) has come are deleted. */
  private sweep(nowMs: number): void {
    for (const [email, row] of this.broadcasts) {
      if (nowMs >= row.lastSeenMs + this.ttlMs + this.graceMs) this.broadcasts.delete(email);
    }
  }
}
