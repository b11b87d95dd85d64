/**
 * Connection URLs end up in startup lines, logs and error messages, so the
 * password never leaves this module in clear.
 */
const REDACTED = '***';

/** The URL with any password (userinfo or `?password=`) replaced by ***; unparseable input is hidden whole. */
export function redactPostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable postgres url>';
  }
  if (parsed.password) parsed.password = REDACTED;
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', REDACTED);
  // URLSearchParams percent-encodes '*'; keep the redaction readable.
  return parsed.toString().replace(/%2A%2A%2A/g, REDACTED);
}

/** The same server and credentials, pointed at another database. */
export function withDatabaseName(url: string, databaseName: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(databaseName)}`;
  return parsed.toString();
}

/** Read by relaylab and removed before node-postgres sees the URL (PostgreSQL would refuse an unknown parameter). */
export const PREPARED_PARAM = 'relaylab_prepared';

/** The URL node-postgres gets, and the relaylab options it carried (`?relaylab_prepared=on|off`). */
export function withoutRelaylabParams(url: string): { url: string; preparedStatements: boolean | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, preparedStatements: undefined }; // node-postgres reports it
  }
  const value = parsed.searchParams.get(PREPARED_PARAM);
  if (value === null) return { url, preparedStatements: undefined };
  if (value !== 'on' && value !== 'off') throw new RangeError(`${PREPARED_PARAM} must be on or off, got "${value.slice(0, 40)}"`);
  parsed.searchParams.delete(PREPARED_PARAM);
  return { url: parsed.toString(), preparedStatements: value === 'on' };
}
