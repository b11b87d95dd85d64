import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactPostgresUrl, withDatabaseName } from './postgres-url.ts';

/**
 * Fresh, uniquely named PostgreSQL databases for tests, so every test runs
 * against an empty schema and leaves nothing behind. The server is real:
 * when it cannot be reached the test fails and says how to start it.
 */
export const DEFAULT_ADMIN_URL = 'postgres://relaylab:relaylab@127.0.0.1:5432/relaylab';

export function adminDatabaseUrl(): string {
  return process.env.RELAYLAB_PG_URL || DEFAULT_ADMIN_URL;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * Create the database with this ICU locale as its default collation (e.g.
   * 'en-US'), to prove queries do not depend on the server's locale.
   */
  icuLocale?: string;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Runs one admin statement on a short-lived connection; CREATE/DROP DATABASE cannot take parameters. */
async function runAdminStatement(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  // An error event after connect (server shutdown) must not crash the test process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const detail = error instanceof Error && error.message ? error.message : String((error as { code?: unknown })?.code ?? error);
    throw new Error(
      `PostgreSQL is not reachable at ${redactPostgresUrl(adminUrl)} (${detail}). ` +
        'Start it with .ci/start-postgres.sh, or point RELAYLAB_PG_URL at a server whose role can CREATEDB.',
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * FORCE cannot terminate a backend our role does not own, such as an
 * autovacuum worker that happens to be visiting the database (SQLSTATE
 * 42501), and a database still in use answers 55006. Both pass in moments.
 */
async function dropWithRetry(adminUrl: string, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runAdminStatement(adminUrl, sql);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 20 || (code !== '42501' && code !== '55006')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = adminDatabaseUrl();
  const name = `relaylab_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  const locale = options.icuLocale
    ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE ${quoteLiteral(options.icuLocale)}`
    : '';
  await runAdminStatement(adminUrl, `CREATE DATABASE ${quoteIdentifier(name)}${locale}`);
  let dropped = false;
  return {
    name,
    url: withDatabaseName(adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE: a test that failed midway may still hold connections.
      await dropWithRetry(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
  };
}
