import type pg from 'pg';

/**
 * The PostgreSQL schema as an ordered list of steps. A step, once shipped,
 * is never edited: change the schema by appending a new step.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'identities and broadcasts',
    // COLLATE "C" on email: ORDER BY and keyset comparisons then follow byte
    // order, which is JavaScript's default string order for ASCII (SPEC LIST-*),
    // whatever locale the database was created with. It also makes lower()
    // in the CHECK deterministic (ASCII folding only), independent of locale.
    sql: `
      CREATE TABLE relay_identities (
        id text PRIMARY KEY,
        email text COLLATE "C" NOT NULL,
        fingerprint_sha256 text NOT NULL,
        certificate_pem text NOT NULL,
        registered_at_ms bigint NOT NULL,
        -- SPEC REG-7: one registration per email and one per certificate.
        CONSTRAINT relay_identities_email_unique UNIQUE (email),
        CONSTRAINT relay_identities_fingerprint_unique UNIQUE (fingerprint_sha256),
        -- SPEC REG-6: emails are stored lower-case.
        CONSTRAINT relay_identities_email_lower_case CHECK (email = lower(email))
      );

      -- SPEC READY-6: one broadcast per identity, so the email is the key.
      -- The primary key's index (C collation) also serves the sorted list.
      CREATE TABLE relay_broadcasts (
        email text COLLATE "C" PRIMARY KEY
          REFERENCES relay_identities (email) ON DELETE CASCADE,
        broadcast_id text NOT NULL,
        port integer NOT NULL,
        -- SPEC READY-4: kept in order as sent, duplicates included.
        addresses text[] NOT NULL,
        -- json, not jsonb: jsonb rejects \\u0000 in strings, which a client may
        -- legitimately send, and reorders keys; json stores the text as given.
        capabilities json,
        last_seen_ms bigint NOT NULL,
        expires_at_ms bigint NOT NULL
      );

      -- Cleanup deletes by expiry; counts of live broadcasts range over it too.
      CREATE INDEX relay_broadcasts_expires_at_ms_idx ON relay_broadcasts (expires_at_ms);
    `,
  },
  {
    version: 2,
    description: 'certificate validity window per identity',
    // SPEC AUTH-6. Nullable: rows registered before this step get no window
    // here (SQL cannot read a certificate); the relay reads it from their PEM.
    sql: `
      ALTER TABLE relay_identities ADD COLUMN not_before_ms bigint, ADD COLUMN not_after_ms bigint;
    `,
  },
];

// Any fixed 64-bit key works; advisory locks are scoped to the current database.
const MIGRATION_LOCK_KEY = 0x72656c61796c6162n; // "relaylab"

/**
 * Brings the schema up to the newest step inside one transaction that holds
 * an advisory lock, so relays starting together against one database
 * apply each step exactly once and the losers see the finished schema.
 */
export async function migrateSchema(client: pg.ClientBase, migrations: readonly Migration[] = POSTGRES_MIGRATIONS): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS relaylab_schema_version (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const result = await client.query<{ current: number | null }>('SELECT max(version) AS current FROM relaylab_schema_version');
    const current = result.rows[0]?.current ?? 0;
    const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > newest) {
      throw new Error(`database schema is at version ${current}, newer than this relay knows (${newest}); upgrade relaylab`);
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO relaylab_schema_version (version, description) VALUES ($1, $2)', [
        migration.version,
        migration.description,
      ]);
    }
    await client.query('COMMIT');
    return Math.max(current, newest);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
