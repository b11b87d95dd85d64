/** Records the relay keeps, and the store contract every backend meets. */

export interface IdentityRecord {
  id: string;
  /** Lower-case (SPEC REG-6). */
  email: string;
  /** SHA-256 of the certificate DER, lower-case hex: the credential (SPEC AUTH-2). */
  fingerprintSha256: string;
  /**
   * As registered. A store may read back null once the validity window is
   * known (the memory store does): nothing reads the PEM again then.
   */
  certificatePem: string | null;
  registeredAtMs: number;
  /**
   * The certificate's validity window, read at registration (SPEC AUTH-6).
   * Null for rows stored before the relay kept it: the core then reads it
   * from `certificatePem`.
   */
  notBeforeMs: number | null;
  notAfterMs: number | null;
}

/** A new identity always brings its PEM. */
export type NewIdentityRecord = IdentityRecord & { certificatePem: string };

/** What a renewal puts in place of an identity's certificate (SPEC EXT-1). */
export interface CertificateReplacement {
  fingerprintSha256: string;
  certificatePem: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/** 'stale': the identity no longer holds the certificate the caller authenticated with (a concurrent renewal won). */
export type ReplaceCertificateOutcome = 'replaced' | 'certificate_taken' | 'stale';

export interface BroadcastRecord {
  broadcastId: string;
  email: string;
  port: number;
  /** Exactly as announced, order kept (SPEC READY-4). */
  addresses: string[];
  capabilities: Record<string, unknown> | null;
  lastSeenMs: number;
  /** Live while now < expiresAtMs (SPEC EXP-1). */
  expiresAtMs: number;
}

export interface IdentityAndBroadcast {
  identity: IdentityRecord;
  broadcast: BroadcastRecord | null;
}

export type InsertIdentityOutcome = 'inserted' | 'email_taken' | 'certificate_taken';

export interface ListQuery {
  nowMs: number;
  excludeEmail: string;
  /** Return only emails strictly after this one (keyset pagination). */
  afterEmail: string | null;
  limit: number;
}

/**
 * Storage behind the relay core. Every method that reads broadcasts takes
 * the core's `nowMs` and applies the liveness rule itself, so expiry is
 * exact whatever the cleanup job has or has not deleted.
 */
export interface RelayStore {
  /** Shown in the startup line: whether data survives a restart. */
  readonly description: string;
  readonly durable: boolean;
  insertIdentity(record: NewIdentityRecord): Promise<InsertIdentityOutcome>;
  findIdentityByFingerprint(fingerprintSha256: string): Promise<IdentityRecord | null>;
  /**
   * Gives the identity holding `currentFingerprintSha256` under `email` a new
   * certificate; the email, id and broadcast stay (SPEC EXT-1). Atomic: of
   * two renewals from one certificate, one wins and the other is 'stale'.
   */
  replaceCertificate(email: string, currentFingerprintSha256: string, next: CertificateReplacement): Promise<ReplaceCertificateOutcome>;
  /** One broadcast per email: replaces any earlier one (SPEC READY-6). */
  putBroadcast(record: BroadcastRecord): Promise<void>;
  /** Moves a live broadcast's lastSeen/expiry; null when none is live (SPEC HB-1, HB-3). */
  extendBroadcast(email: string, nowMs: number, expiresAtMs: number): Promise<BroadcastRecord | null>;
  findLiveBroadcast(email: string, nowMs: number): Promise<BroadcastRecord | null>;
  /**
   * Optional: findIdentityByFingerprint and findLiveBroadcast in one read,
   * for a lookup (one round trip for a database instead of two). Null when
   * no identity holds the fingerprint; `broadcast` null when `email` has no
   * live broadcast. The core uses it where a store offers it.
   */
  findIdentityAndLiveBroadcast?(fingerprintSha256: string, email: string, nowMs: number): Promise<IdentityAndBroadcast | null>;
  /** Ends a live broadcast now (its expiry becomes `nowMs`, so it is not live from this instant); false when none was live (SPEC EXT-2). */
  endBroadcast(email: string, nowMs: number): Promise<boolean>;
  /** Live broadcasts sorted by email, excluding one email, after a cursor. */
  listLiveBroadcasts(query: ListQuery): Promise<BroadcastRecord[]>;
  deleteExpiredBroadcasts(nowMs: number): Promise<number>;
  countLiveBroadcasts(nowMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Who is calling: the SHA-256 fingerprint of the certificate the edge saw, if any. */
export interface Principal {
  fingerprintSha256: string;
  /** 'tls' or 'header' (through a trusted proxy); for logs only. */
  source: 'tls' | 'header';
}

export interface RelayRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The raw body, already size-limited by the edge; null when there was none. */
  bodyText: string | null;
  principal: Principal | null;
  /**
   * The caller's address as the relay saw it: the TCP peer, or behind a
   * trusted proxy the client it forwarded for (SPEC EXT-3). Absent when the
   * edge does not know it.
   */
  remoteAddress?: string | null;
}

export interface RelayResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Anything that answers relay requests: the reference core, a mutant, a decorator. */
export interface RelayHandler {
  handle(request: RelayRequest): Promise<RelayResponse>;
}

export interface RelayConfig {
  ttlSeconds: number;
  /** Enables the SPEC TEST-* clock control profile. Never on in production. */
  testMode: boolean;
  /** Optional protocol extensions this relay offers and advertises in health (SPEC EXT); none when absent. */
  extensions?: readonly RelayExtension[];
  /** Refuse registrations without a client certificate (SPEC REG-14); off when absent. */
  requirePossession?: boolean;
}

/** SPEC EXT: the extensions the reference relay can offer, by the name health advertises. */
export const RELAY_EXTENSIONS = ['renew', 'goodbye', 'observed-address'] as const;
export type RelayExtension = (typeof RELAY_EXTENSIONS)[number];
/** Offered unless the operator says otherwise: a peer can only renew before expiry where the relay lets it. */
export const DEFAULT_RELAY_EXTENSIONS: readonly RelayExtension[] = ['renew'];

/** One place for the protocol's limits (reference/shared/protocol.ts); re-exported for the relay's modules. */
export { RELAY_LIMITS } from '../../shared/protocol.ts';

/** Thrown by a store when its backend cannot be reached; the core answers 503 store_unavailable. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
