import { StoreUnavailableError } from '../core/types.ts';
import { redactPostgresUrl } from './postgres-url.ts';

/**
 * Which failures mean "the database cannot be reached or cannot serve us
 * right now" (answered 503 store_unavailable) as opposed to a query the
 * server understood and refused (a bug in us, left to propagate).
 */

// SQLSTATE classes and codes that describe the backend's state, not our query.
const UNAVAILABLE_SQLSTATE_PREFIXES = [
  '08', // connection exception
  '28', // invalid authorization: the operator's credentials, seen at connect
  '3D', // the database does not exist
  '53', // insufficient resources: too many connections, disk full, out of memory
  '58', // system error: I/O failure on the server
  '57P', // admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped, idle_session_timeout
  '25006', // read_only_sql_transaction: we are talking to a standby after a failover
  '55000', // object_not_in_prerequisite_state: e.g. database not accepting connections
];

// Errors node-postgres raises itself (no SQLSTATE) when a connection breaks or times out.
const CLIENT_CONNECTION_MESSAGE = /connection|terminated|timeout|not queryable|pool after calling end/i;

interface ErrorShape {
  code?: unknown;
  severity?: unknown;
  message?: unknown;
}

function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

export function isBackendUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as ErrorShape;
  if (typeof code === 'string' && isSqlState(code) && (error as ErrorShape).severity !== undefined) {
    return UNAVAILABLE_SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix));
  }
  // Node socket errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, EHOSTUNREACH, ...
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return true;
  return typeof message === 'string' && CLIENT_CONNECTION_MESSAGE.test(message);
}

function describeCause(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, message } = error as ErrorShape;
  // Node 20 reports a refused dual-stack connect as an AggregateError with an empty message.
  const inner = error instanceof AggregateError ? (error.errors[0] as ErrorShape | undefined)?.message : undefined;
  const text = typeof message === 'string' && message !== '' ? message : typeof inner === 'string' ? inner : 'no detail';
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

/**
 * Wraps a backend outage in StoreUnavailableError with a readable message;
 * returns anything else unchanged. The URL (password redacted) is named only
 * when given: at startup, for the operator. Per-request messages may reach
 * clients in a 503 body, so they leave the server's address out.
 */
export function toStoreError(error: unknown, action: string, url?: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (!isBackendUnavailable(error)) return error;
  return new StoreUnavailableError(unavailableMessage(action, describeCause(error), url), { cause: error });
}

/** The one wording of a store_unavailable message: what the store was doing, where (when given), and why it could not. */
export function unavailableMessage(action: string, why: string, url?: string): string {
  const where = url === undefined ? '' : ` at ${redactPostgresUrl(url)}`;
  return `postgres store unavailable while trying to ${action}${where}: ${why}`;
}
