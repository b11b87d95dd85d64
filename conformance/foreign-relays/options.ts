/**
 * Configuration of the "foreign" relay: an implementation written the way an
 * outside team would (plain handlers over an in-memory table), used to check
 * that the conformance suite judges the protocol and not our own style.
 *
 * Everything defaults to a relay that is CORRECT per conformance/SPEC.md.
 * The defect switches each reproduce one realistic bug; all are off by default.
 */

export type ErrorStyle = 'spec' | 'no-code' | 'own-codes';

export type RouteName = 'health' | 'register' | 'ready' | 'heartbeat' | 'lookup' | 'list';

export interface ForeignRelayOptions {
  /** Listen address; loopback unless told (default 127.0.0.1). */
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** Broadcast lifetime announced as `expires_in` (SPEC READY-1, EXP-6); default 3600. */
  ttlSeconds?: number;
  /** Milliseconds since the epoch; default Date.now (libfaketime speeds it up under --time-warp). */
  now?: () => number;

  /** 'https' (default): mutual TLS. 'http-header': plain HTTP behind a TLS-terminating proxy (SPEC AUTH-5). */
  transport?: 'https' | 'http-header';
  /** Header carrying the client certificate in 'http-header' mode (default x-ssl-cert). */
  certHeader?: string;
  /** Exact remote addresses whose header is believed; 'anyone' is the defect. Default: nobody. */
  trustHeaderFrom?: 'anyone' | string[];
  /** Server certificate and key (PEM files); a fresh self-signed pair when absent. */
  tlsCertFile?: string;
  tlsKeyFile?: string;

  // ---- defect switches (off by default) ----

  /** 'no-code': `{"error"}` only; 'own-codes': codes like BAD_PORT instead of SPEC codes (ERR-1). */
  errorStyle?: ErrorStyle;
  /** Port normalised with BigInt(): a fractional port throws and becomes a 500 (READY-2, ERR-5). */
  fractionalPort500?: boolean;
  /** Addresses stored as given when they are a non-empty array of strings (READY-3). */
  unvalidatedAddresses?: boolean;
  /** Identity is the PEM text as registered, compared with a re-encoded peer certificate (AUTH-4). */
  pemTextIdentity?: boolean;
  /** These routes do not exist: 404 like any unknown path. */
  omitRoutes?: RouteName[];
  /** Unknown paths answer a Next.js-style HTML 404 page instead of JSON (GEN-1, ERR-3). */
  htmlNotFound?: boolean;
  /** A database pool of this many connections: more requests in flight get a 500 (ERR-5). */
  poolSize?: number | null;
  /** Broadcasts stay visible this long after their expiry, like a cleanup job that runs late (EXP-1, EXP-3). */
  expiryGraceSeconds?: number;
  /** Lookup never returns capabilities (READY-5, LOOKUP-5); list keeps them. */
  capabilitiesDroppedInLookup?: boolean;
  /** Only the first N addresses are stored, but the ready answers 200 (READY-4). */
  keepFirstAddresses?: number | null;
}

/** Options with every default filled in. */
export interface RelaySettings {
  host: string;
  port: number;
  ttlSeconds: number;
  now: () => number;
  transport: 'https' | 'http-header';
  certHeader: string;
  trustHeaderFrom: 'anyone' | string[];
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  errorStyle: ErrorStyle;
  fractionalPort500: boolean;
  unvalidatedAddresses: boolean;
  pemTextIdentity: boolean;
  omitRoutes: RouteName[];
  htmlNotFound: boolean;
  poolSize: number | null;
  expiryGraceSeconds: number;
  capabilitiesDroppedInLookup: boolean;
  keepFirstAddresses: number | null;
}

/** Refuses a configuration that cannot work, before any socket is opened. */
export function settle(options: ForeignRelayOptions): RelaySettings {
  const settings: RelaySettings = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ttlSeconds: options.ttlSeconds ?? 3600,
    now: options.now ?? Date.now,
    transport: options.transport ?? 'https',
    certHeader: (options.certHeader ?? 'x-ssl-cert').toLowerCase(),
    trustHeaderFrom: options.trustHeaderFrom ?? [],
    tlsCertFile: options.tlsCertFile ?? null,
    tlsKeyFile: options.tlsKeyFile ?? null,
    errorStyle: options.errorStyle ?? 'spec',
    fractionalPort500: options.fractionalPort500 ?? false,
    unvalidatedAddresses: options.unvalidatedAddresses ?? false,
    pemTextIdentity: options.pemTextIdentity ?? false,
    omitRoutes: options.omitRoutes ?? [],
    htmlNotFound: options.htmlNotFound ?? false,
    poolSize: options.poolSize ?? null,
    expiryGraceSeconds: options.expiryGraceSeconds ?? 0,
    capabilitiesDroppedInLookup: options.capabilitiesDroppedInLookup ?? false,
    keepFirstAddresses: options.keepFirstAddresses ?? null,
  };
  // SPEC EXP-6: expires_in is a positive integer.
  if (!Number.isInteger(settings.ttlSeconds) || settings.ttlSeconds < 1) throw new Error(`ttlSeconds must be a positive integer, got ${settings.ttlSeconds}`);
  if (!Number.isFinite(settings.expiryGraceSeconds) || settings.expiryGraceSeconds < 0) throw new Error(`expiryGraceSeconds must be >= 0, got ${settings.expiryGraceSeconds}`);
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535) throw new Error(`port must be 0..65535, got ${settings.port}`);
  if (settings.poolSize !== null && (!Number.isInteger(settings.poolSize) || settings.poolSize < 1)) throw new Error(`poolSize must be a positive integer or null, got ${settings.poolSize}`);
  if (settings.keepFirstAddresses !== null && (!Number.isInteger(settings.keepFirstAddresses) || settings.keepFirstAddresses < 1)) {
    throw new Error(`keepFirstAddresses must be a positive integer or null, got ${settings.keepFirstAddresses}`);
  }
  if ((settings.tlsCertFile === null) !== (settings.tlsKeyFile === null)) throw new Error('tlsCertFile and tlsKeyFile go together');
  return settings;
}
