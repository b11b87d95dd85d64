import pg from 'pg';
import {
  StoreUnavailableError,
  type BroadcastRecord,
  type CertificateReplacement,
  type IdentityRecord,
  type IdentityAndBroadcast,
  type InsertIdentityOutcome,
  type ListQuery,
  type RelayStore,
  type ReplaceCertificateOutcome,
} from '../core/types.ts';
import { toStoreError, unavailableMessage } from './postgres-errors.ts';
import { migrateSchema } from './postgres-migrations.ts';
import { redactPostgresUrl, withoutRelaylabParams } from './postgres-url.ts';
import { ReadBatcher, type BatcherCounts } from './read-batcher.ts';

export interface PostgresStoreOptions {
  /** Most connections this process holds open (pg.Pool `max`). Default 10. */
  poolSize?: number;
  /** How long to wait for a connection before answering store_unavailable. Default 5000. */
  connectTimeoutMs?: number;
  /** How long to wait for a query's answer before answering store_unavailable. Default 10000. */
  queryTimeoutMs?: number;
  /**
   * Called when an idle connection breaks (server restart, pg_terminate_backend).
   * The pool drops that connection and opens a new one on next use; without
   * a listener such an event would crash the process. Default: ignore.
   */
  onConnectionError?: (error: Error) => void;
  /**
   * Prepare each statement once per connection (named statements). Default
   * true: a lookup costs the relay about a third less CPU. Turn it off
   * behind a pooler that does not track prepared statements (PgBouncer
   * before 1.21 in transaction mode), or with `?relaylab_prepared=off` in
   * the URL (withoutRelaylabParams).
   */
  preparedStatements?: boolean;
}

interface IdentityRow {
  id: string;
  email: string;
  fingerprint_sha256: string;
  certificate_pem: string | null;
  registered_at_ms: string;
  not_before_ms: string | null;
  not_after_ms: string | null;
}

interface BroadcastRow {
  email: string;
  broadcast_id: string;
  port: number;
  addresses: string[];
  capabilities: Record<string, unknown> | null;
  last_seen_ms: string;
  expires_at_ms: string;
}

/** A broadcast's columns under a prefix, each null when a LEFT JOIN found none. */
type BroadcastRowOf<P extends string> = { [K in keyof BroadcastRow as `${P}${K}`]: BroadcastRow[K] | null };

const UNIQUE_VIOLATION = '23505';
const EMAIL_UNIQUE = 'relay_identities_email_unique';
const BROADCAST_COLUMNS = 'email, broadcast_id, port, addresses, capabilities, last_seen_ms, expires_at_ms';

/**
 * What authentication reads of an identity row `i`. Every authenticated call
 * runs it: the PEM (most of the row) is sent only for rows stored without
 * their validity window, the one case the core reads it (IdentityRecord.certificatePem).
 */
const AUTH_IDENTITY_COLUMNS = `i.id, i.email, i.fingerprint_sha256, i.registered_at_ms, i.not_before_ms, i.not_after_ms,
  CASE WHEN i.not_before_ms IS NULL OR i.not_after_ms IS NULL THEN i.certificate_pem END AS certificate_pem`;

/** The broadcast columns of a joined row `b`, each as b_<column> (BroadcastRowOf<'b_'>). */
const JOINED_BROADCAST_COLUMNS = BROADCAST_COLUMNS.split(', ').map((column) => `b.${column} AS b_${column}`).join(', ');

/** A lookup as the batcher holds it: the time already in the text form queries take. */
interface LookupInput {
  fingerprintSha256: string;
  email: string;
  nowMs: string;
}

/** Lookups per batched statement at most: one statement of a few hundred rows stays quick to plan and send. */
const MAX_LOOKUP_BATCH = 256;
/**
 * Lookup statements out at once (at most the pool's size). Fewer out means
 * more calls wait and share one: `bench:relay --store postgres --only
 * lookup` on 2026-12-04 (two runs each, beside another benchmark) gave 52
 * and 50 % of bare with one out, 50 and 53 % with two, 41 and 37 % with the
 * pool's ten (calls then rarely wait, so rarely share). Two, not one, so a
 * slow statement does not hold every lookup behind it.
 */
const LOOKUP_STATEMENTS_IN_FLIGHT = 2;
/** What a failed lookup says it was doing, alone or batched (operators' logs and alerts match on it). */
const LOOKUP_ACTION = 'look up a broadcast for an identity';

/** SQLSTATE class 22, data exception: the server refused a value one call sent (a NUL byte, a bigint out of range). */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

function toIdentityAndBroadcast(row: IdentityRow & BroadcastRowOf<'b_'>): IdentityAndBroadcast {
  const broadcast =
    row.b_email === null
      ? null
      : toBroadcast({ email: row.b_email, broadcast_id: row.b_broadcast_id as string, port: row.b_port as number, addresses: row.b_addresses as string[], capabilities: row.b_capabilities, last_seen_ms: row.b_last_seen_ms as string, expires_at_ms: row.b_expires_at_ms as string });
  return { identity: toIdentity(row), broadcast };
}

function toIdentity(row: IdentityRow): IdentityRecord {
  return {
    id: row.id,
    email: row.email,
    fingerprintSha256: row.fingerprint_sha256,
    certificatePem: row.certificate_pem,
    registeredAtMs: Number(row.registered_at_ms),
    notBeforeMs: row.not_before_ms === null ? null : Number(row.not_before_ms),
    notAfterMs: row.not_after_ms === null ? null : Number(row.not_after_ms),
  };
}

function toBroadcast(row: BroadcastRow): BroadcastRecord {
  return {
    broadcastId: row.broadcast_id,
    email: row.email,
    port: row.port,
    addresses: row.addresses,
    capabilities: row.capabilities,
    lastSeenMs: Number(row.last_seen_ms),
    expiresAtMs: Number(row.expires_at_ms),
  };
}

/** Times are stored as bigint ms: a time we write must be a whole number of ms. */
function storedMs(name: string, value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a whole number of milliseconds, got ${value}`);
  return String(value);
}

/**
 * A time we compare against stored whole ms. Flooring is exact for the
 * liveness rule: with integer E, now < E iff floor(now) < E (SPEC EXP-1).
 */
function queryMs(name: string, value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds, got ${value}`);
  return String(Math.floor(value));
}

function isUniqueViolation(error: unknown): error is { constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/**
 * Every statement is named: node-postgres then prepares it once per
 * connection (parse and plan on the server's first use) and afterwards
 * sends only Bind and Execute. Names carry the relaylab_ prefix; each name
 * is bound to one fixed statement text.
 *
 * The durable relay store: several relay processes can share one database
 * and see each other's writes at once. Liveness is always decided in the
 * query with the core's nowMs (SPEC EXP-1), never with the server's now().
 */
export class PostgresStore implements RelayStore {
  readonly durable = true;
  readonly description: string;
  private closed = false;

  /** Lookups that arrive while the store is busy share one statement (read-batcher.ts). */
  private readonly lookups: ReadBatcher<LookupInput, IdentityAndBroadcast | null>;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly prepared: boolean,
    limits: { poolSize: number; connectTimeoutMs: number },
  ) {
    this.description = `postgres (durable: registrations and broadcasts survive restarts) at ${redactPostgresUrl(url)}`;
    this.lookups = new ReadBatcher({
      runBatch: (inputs) => this.findIdentitiesAndLiveBroadcasts(inputs),
      runOne: (input) => this.findIdentityAndLiveBroadcastAlone(input),
      // pg-pool queues even a checkout it can serve from an idle connection (for a tick): room is
      // more connections idle or still to open than checkouts waiting.
      poolHasRoom: () => pool.waitingCount < pool.idleCount + (limits.poolSize - pool.totalCount),
      isInputError: isDataException,
      maxInFlight: Math.min(limits.poolSize, LOOKUP_STATEMENTS_IN_FLIGHT),
      maxBatch: MAX_LOOKUP_BATCH,
      // A lookup alone waits at most this long for a connection; one waiting to be batched no longer.
      maxWaitMs: limits.connectTimeoutMs,
      waitedTooLongMessage: unavailableMessage(LOOKUP_ACTION, `no statement could be sent within ${limits.connectTimeoutMs} ms (those out have not come back)`),
    });
  }

  /** Lookup statements sent so far and the calls they answered (read-batcher.ts). */
  get lookupCounts(): BatcherCounts {
    return this.lookups.counts;
  }

  /** Connects and creates or migrates the schema; throws StoreUnavailableError when the server cannot be reached. */
  static async open(urlWithOptions: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { url, preparedStatements } = withoutRelaylabParams(urlWithOptions);
    const poolSize = options.poolSize ?? 10;
    if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new RangeError(`poolSize must be a positive integer, got ${poolSize}`);
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      keepAlive: true,
    });
    const onConnectionError = options.onConnectionError ?? (() => undefined);
    pool.on('error', onConnectionError);
    const store = new PostgresStore(pool, url, options.preparedStatements ?? preparedStatements ?? true, { poolSize, connectTimeoutMs });
    try {
      await store.withClient('connect and migrate the schema', (client) => migrateSchema(client));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  async insertIdentity(record: IdentityRecord): Promise<InsertIdentityOutcome> {
    try {
      await this.query('register an identity', {
        name: 'relaylab_insert_identity',
        text: `INSERT INTO relay_identities (id, email, fingerprint_sha256, certificate_pem, registered_at_ms, not_before_ms, not_after_ms)
               VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        values: [
          record.id,
          record.email,
          record.fingerprintSha256,
          record.certificatePem,
          storedMs('registeredAtMs', record.registeredAtMs),
          record.notBeforeMs === null ? null : storedMs('notBeforeMs', record.notBeforeMs),
          record.notAfterMs === null ? null : storedMs('notAfterMs', record.notAfterMs),
        ],
      });
      return 'inserted';
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (error.constraint === EMAIL_UNIQUE) return 'email_taken';
      // The server names whichever unique index it checked first (the id's
      // primary key comes before both), so ask which registration is in the
      // way; the email wins when both are (a re-registration is email_taken).
      const taken = await this.query<{ email_taken: boolean }>('check a registration conflict', {
        name: 'relaylab_registration_conflict',
        text: `SELECT bool_or(email = $1) AS email_taken FROM relay_identities
               WHERE email = $1 OR fingerprint_sha256 = $2`,
        values: [record.email, record.fingerprintSha256],
      });
      const emailTaken = taken.rows[0]?.email_taken;
      if (emailTaken === true) return 'email_taken';
      if (emailTaken === false) return 'certificate_taken';
      throw error; // only the id collided: a bug in whoever made the id
    }
  }

  async findIdentityByFingerprint(fingerprintSha256: string): Promise<IdentityRecord | null> {
    const result = await this.query<IdentityRow>('find an identity', {
      name: 'relaylab_find_identity',
      text: `SELECT ${AUTH_IDENTITY_COLUMNS}
             FROM relay_identities i WHERE i.fingerprint_sha256 = $1`,
      values: [fingerprintSha256],
    });
    const row = result.rows[0];
    return row ? toIdentity(row) : null;
  }

  async replaceCertificate(email: string, currentFingerprintSha256: string, next: CertificateReplacement): Promise<ReplaceCertificateOutcome> {
    try {
      // One statement: of two renewals from one certificate, the second finds no row holding it ('stale').
      const result = await this.query('renew a certificate', {
        name: 'relaylab_renew_certificate',
        text: `UPDATE relay_identities
               SET fingerprint_sha256 = $3, certificate_pem = $4, not_before_ms = $5, not_after_ms = $6
               WHERE email = $1 AND fingerprint_sha256 = $2`,
        values: [email, currentFingerprintSha256, next.fingerprintSha256, next.certificatePem, storedMs('notBeforeMs', next.notBeforeMs), storedMs('notAfterMs', next.notAfterMs)],
      });
      return result.rowCount === 1 ? 'replaced' : 'stale';
    } catch (error) {
      if (isUniqueViolation(error)) return 'certificate_taken';
      throw error;
    }
  }

  async putBroadcast(record: BroadcastRecord): Promise<void> {
    // SPEC READY-6: a new ready replaces the identity's broadcast, live or not.
    await this.query('store a broadcast', {
      name: 'relaylab_put_broadcast',
      text: `INSERT INTO relay_broadcasts (${BROADCAST_COLUMNS})
             VALUES ($1, $2, $3, $4, $5::json, $6, $7)
             ON CONFLICT (email) DO UPDATE SET
               broadcast_id = EXCLUDED.broadcast_id,
               port = EXCLUDED.port,
               addresses = EXCLUDED.addresses,
               capabilities = EXCLUDED.capabilities,
               last_seen_ms = EXCLUDED.last_seen_ms,
               expires_at_ms = EXCLUDED.expires_at_ms`,
      values: [
        record.email,
        record.broadcastId,
        record.port,
        record.addresses,
        record.capabilities === null ? null : JSON.stringify(record.capabilities),
        storedMs('lastSeenMs', record.lastSeenMs),
        storedMs('expiresAtMs', record.expiresAtMs),
      ],
    });
  }

  async extendBroadcast(email: string, nowMs: number, expiresAtMs: number): Promise<BroadcastRecord | null> {
    // SPEC HB-1, HB-3: only a live broadcast moves; an expired one stays put.
    const result = await this.query<BroadcastRow>('extend a broadcast', {
      name: 'relaylab_extend_broadcast',
      text: `UPDATE relay_broadcasts SET last_seen_ms = $2, expires_at_ms = $3
             WHERE email = $1 AND expires_at_ms > $4
             RETURNING ${BROADCAST_COLUMNS}`,
      values: [email, storedMs('nowMs', nowMs), storedMs('expiresAtMs', expiresAtMs), queryMs('nowMs', nowMs)],
    });
    const row = result.rows[0];
    return row ? toBroadcast(row) : null;
  }

  async endBroadcast(email: string, nowMs: number): Promise<boolean> {
    // Not deleted: the row's expiry becomes now, and cleanup removes it like any expired one.
    const result = await this.query('end a broadcast', {
      name: 'relaylab_end_broadcast',
      text: 'UPDATE relay_broadcasts SET expires_at_ms = $2 WHERE email = $1 AND expires_at_ms > $3',
      values: [email, storedMs('nowMs', Math.floor(nowMs)), queryMs('nowMs', nowMs)],
    });
    return result.rowCount === 1;
  }

  /**
   * A lookup's two reads in one statement: one round trip per lookup instead
   * of two, and lookups that arrive while the store is busy share one.
   */
  async findIdentityAndLiveBroadcast(fingerprintSha256: string, email: string, nowMs: number): Promise<IdentityAndBroadcast | null> {
    if (this.closed) throw new StoreUnavailableError(`postgres store is closed (tried to ${LOOKUP_ACTION})`);
    // Checked here, so a bad time fails its own call, not the batch it would join.
    return this.lookups.run({ fingerprintSha256, email, nowMs: queryMs('nowMs', nowMs) });
  }

  private async findIdentityAndLiveBroadcastAlone(input: LookupInput): Promise<IdentityAndBroadcast | null> {
    const result = await this.query<IdentityRow & BroadcastRowOf<'b_'>>(LOOKUP_ACTION, {
      name: 'relaylab_find_identity_and_broadcast',
      text: `SELECT ${AUTH_IDENTITY_COLUMNS}, ${JOINED_BROADCAST_COLUMNS}
             FROM relay_identities i
             LEFT JOIN relay_broadcasts b ON b.email = $2 AND b.expires_at_ms > $3
             WHERE i.fingerprint_sha256 = $1`,
      values: [input.fingerprintSha256, input.email, input.nowMs],
    });
    const row = result.rows[0];
    return row ? toIdentityAndBroadcast(row) : null;
  }

  /** Several lookups, each with its own time, in one statement; row n answers input n (1-based). */
  private async findIdentitiesAndLiveBroadcasts(inputs: readonly LookupInput[]): Promise<Array<IdentityAndBroadcast | null>> {
    const result = await this.query<IdentityRow & BroadcastRowOf<'b_'> & { n: string }>(LOOKUP_ACTION, {
      name: 'relaylab_find_identities_and_broadcasts',
      text: `SELECT q.n, ${AUTH_IDENTITY_COLUMNS}, ${JOINED_BROADCAST_COLUMNS}
             FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS q(fingerprint_sha256, email, now_ms, n)
             JOIN relay_identities i ON i.fingerprint_sha256 = q.fingerprint_sha256
             LEFT JOIN relay_broadcasts b ON b.email = q.email COLLATE "C" AND b.expires_at_ms > q.now_ms`,
      values: [inputs.map((i) => i.fingerprintSha256), inputs.map((i) => i.email), inputs.map((i) => i.nowMs)],
    });
    const answers: Array<IdentityAndBroadcast | null> = inputs.map(() => null);
    for (const row of result.rows) answers[Number(row.n) - 1] = toIdentityAndBroadcast(row);
    return answers;
  }

  async findLiveBroadcast(email: string, nowMs: number): Promise<BroadcastRecord | null> {
    const result = await this.query<BroadcastRow>('look up a broadcast', {
      name: 'relaylab_find_live_broadcast',
      text: `SELECT ${BROADCAST_COLUMNS} FROM relay_broadcasts WHERE email = $1 AND expires_at_ms > $2`,
      values: [email, queryMs('nowMs', nowMs)],
    });
    const row = result.rows[0];
    return row ? toBroadcast(row) : null;
  }

  async listLiveBroadcasts(query: ListQuery): Promise<BroadcastRecord[]> {
    if (query.limit <= 0) return [];
    const values: unknown[] = [queryMs('nowMs', query.nowMs), query.excludeEmail, Math.floor(query.limit)];
    // Two shapes rather than "($4 IS NULL OR email > $4)", so the planner can
    // start the keyset scan at the cursor in the primary key's index.
    let afterCursor = '';
    if (query.afterEmail !== null) {
      values.push(query.afterEmail);
      afterCursor = 'AND email > $4';
    }
    const result = await this.query<BroadcastRow>('list broadcasts', {
      // Two texts, two names: a name is bound to one statement text per connection.
      name: query.afterEmail === null ? 'relaylab_list_broadcasts' : 'relaylab_list_broadcasts_after',
      text: `SELECT ${BROADCAST_COLUMNS} FROM relay_broadcasts
             WHERE expires_at_ms > $1 AND email <> $2 ${afterCursor}
             ORDER BY email LIMIT $3`,
      values,
    });
    return result.rows.map(toBroadcast);
  }

  async deleteExpiredBroadcasts(nowMs: number): Promise<number> {
    const result = await this.query('delete expired broadcasts', {
      name: 'relaylab_delete_expired',
      text: 'DELETE FROM relay_broadcasts WHERE expires_at_ms <= $1',
      values: [queryMs('nowMs', nowMs)],
    });
    return result.rowCount ?? 0;
  }

  async countLiveBroadcasts(nowMs: number): Promise<number> {
    const result = await this.query<{ live: string }>('count broadcasts', {
      name: 'relaylab_count_live',
      text: 'SELECT count(*) AS live FROM relay_broadcasts WHERE expires_at_ms > $1',
      values: [queryMs('nowMs', nowMs)],
    });
    return Number(result.rows[0]?.live ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lookups.failWaiting(new StoreUnavailableError(`postgres store is closed (tried to ${LOOKUP_ACTION})`));
    await this.pool.end();
  }

  private async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    action: string,
    config: pg.QueryConfig,
  ): Promise<pg.QueryResult<Row>> {
    if (this.closed) throw new StoreUnavailableError(`postgres store is closed (tried to ${action})`);
    try {
      // Unnamed, node-postgres parses and plans the statement on every call.
      return await this.pool.query<Row>(this.prepared || config.name === undefined ? config : { ...config, name: undefined });
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  /** A dedicated connection, for work that needs one session (a transaction). */
  private async withClient<T>(action: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, action, this.url);
    }
    // A checked-out client has no pool listener: a connection that breaks
    // between our queries would otherwise emit an unhandled 'error'.
    let brokenBy: Error | undefined;
    const onError = (error: Error): void => {
      brokenBy = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      brokenBy ??= error instanceof Error ? error : new Error(String(error));
      throw toStoreError(error, action, this.url);
    } finally {
      client.off('error', onError);
      client.release(brokenBy);
    }
  }
}
