/**
 * Assembles a running reference relay: TLS pair, store, clock, the pure
 * core, the HTTPS edge and the cleanup job. Used by `relaylab relay`, the
 * demo, the conformance suite's embedded target and the tests.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { OffsetClock, type Clock } from '../../shared/clock.ts';
import { systemClock } from '../../shared/system-clock.ts';
import { cryptoRng } from '../../shared/crypto-rng.ts';
import type { Rng } from '../../shared/rng.ts';
import { silentLogger } from '../../shared/logger.ts';
import { x509Inspector } from '../../identity/inspect.ts';
import { RelayCore } from '../core/relay-core.ts';
import { DEFAULT_RELAY_EXTENSIONS, type RelayExtension, type RelayHandler, type RelayStore } from '../core/types.ts';
import { openStore } from './open-store.ts';
import { makePrincipalExtractor, parseTrustedProxies, type PrincipalExtractor, type ProxyTrust } from './principal.ts';
import { serveRelay, type ServingRelay } from './serve.ts';
import { TokenBuckets, type RateLimit } from './rate-limit.ts';
import { CONNECTION_DEFAULTS } from './connection-limits.ts';
import { loadOrGenerateTlsPair, loadTlsPair, type TlsPair } from './tls-pair.ts';
import { TTL_SECONDS, ttlProblem } from '../../shared/protocol.ts';

export interface StartRelayOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where a generated TLS pair lives; a temporary folder (removed on close) when omitted. */
  dataDir?: string;
  /** 'memory' (default) or a postgres:// URL. */
  store?: string;
  ttlSeconds?: number;
  cleanupIntervalSeconds?: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  certHeader?: string;
  trustedProxies?: string[];
  /** Enables POST /api/test/clock (SPEC TEST-1). */
  testMode?: boolean;
  /** Extensions offered and advertised in health (SPEC EXT); default DEFAULT_RELAY_EXTENSIONS. */
  extensions?: readonly RelayExtension[];
  /** Refuse registrations that present no client certificate (SPEC REG-14). Default off. */
  requirePossession?: boolean;
  logger?: Logger;
  clock?: Clock;
  rng?: Rng;
  /** Conformance mutants: wrap or replace the core's behaviour. */
  wrapHandler?: (core: RelayCore) => RelayHandler;
  /** Conformance mutants: replace how callers are identified. */
  principalOf?: (proxy: ProxyTrust | null) => PrincipalExtractor;
  /** Conformance mutants: change the body size limit (SPEC ERR-6). */
  maxBodyBytes?: number;
  /** Open connections in total (default 900); Infinity for no cap. */
  maxConnections?: number;
  /** Open connections from one source address (default 100); Infinity for no cap. */
  maxConnectionsPerAddress?: number;
  /** Connections that have not finished the TLS handshake by then are closed (default 10 000 ms). */
  handshakeTimeoutMs?: number;
  /**
   * Registrations per source address (token bucket). Off unless given: the
   * library API is used by test suites that register hundreds of identities
   * from one address. `relaylab relay` turns it on (10/s, burst 20) unless
   * --test-mode. Its clock is `clock` (system time when omitted).
   */
  registerRateLimit?: RateLimit | null;
  /** How long close() lets requests in flight finish before closing every connection (default 10 000 ms). */
  shutdownGraceMs?: number;
  /** How often repeated warnings are summarised in one line (default 10 000 ms). */
  warnIntervalMs?: number;
}

export interface RunningRelay {
  url: string;
  port: number;
  tlsCertificatePem: string;
  tlsCertificatePath: string;
  tlsGenerated: boolean;
  storeDescription: string;
  ttlSeconds: number;
  core: RelayCore;
  serving: ServingRelay;
  /** Drains (up to `graceMs`, default the shutdownGraceMs option) and stops; always completes. */
  close(graceMs?: number): Promise<void>;
}

export const RELAY_DEFAULTS = { host: '127.0.0.1', port: 8443, ttlSeconds: TTL_SECONDS.default, cleanupIntervalSeconds: 300 } as const;

export async function startRelay(options: StartRelayOptions = {}): Promise<RunningRelay> {
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? RELAY_DEFAULTS.host;
  const ttlSeconds = options.ttlSeconds ?? RELAY_DEFAULTS.ttlSeconds;
  // Configuration is checked before anything is created, so a refusal leaves nothing behind.
  const badTtl = ttlProblem(ttlSeconds);
  if (badTtl) throw new RangeError(`startRelay: ttlSeconds ${badTtl}`);
  const proxy = options.certHeader ? { headerName: options.certHeader, trusted: parseTrustedProxies(options.trustedProxies ?? []) } : null;
  // Rate limiting runs on the wall clock the caller gave, not the test-mode clock that POST /api/test/clock moves.
  const registerLimiter = options.registerRateLimit ? new TokenBuckets(options.registerRateLimit, options.clock ?? systemClock) : undefined;
  const tempDir = options.dataDir ? null : await mkdtemp(join(tmpdir(), 'relaylab-relay-'));
  const dataDir = options.dataDir ?? (tempDir as string);
  let tls: TlsPair;
  let store: RelayStore;
  try {
    tls = options.tlsCertFile && options.tlsKeyFile ? await loadTlsPair(options.tlsCertFile, options.tlsKeyFile) : await loadOrGenerateTlsPair(dataDir, host);
    store = await openStore(options.store ?? 'memory', logger);
  } catch (error) {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  const testClock = options.testMode ? new OffsetClock(options.clock ?? systemClock) : null;
  const clock = testClock ?? options.clock ?? systemClock;
  const core = new RelayCore({
    clock,
    rng: options.rng ?? cryptoRng,
    store,
    certificates: x509Inspector,
    config: {
      ttlSeconds,
      testMode: options.testMode ?? false,
      extensions: options.extensions ?? DEFAULT_RELAY_EXTENSIONS,
      requirePossession: options.requirePossession ?? false,
    },
    onStoreUnavailable: (error) => logger.error({ err: error.message }, 'store unavailable'),
    ...(testClock ? { advanceClockMs: (ms: number) => testClock.advanceMs(ms) } : {}),
  });
  let serving: ServingRelay;
  try {
    serving = await serveRelay(options.wrapHandler ? options.wrapHandler(core) : core, {
      host,
      port: options.port ?? RELAY_DEFAULTS.port,
      certificatePem: tls.certificatePem,
      privateKeyPem: tls.privateKeyPem,
      principalOf: (options.principalOf ?? makePrincipalExtractor)(proxy),
      logger,
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      maxConnections: options.maxConnections ?? CONNECTION_DEFAULTS.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? CONNECTION_DEFAULTS.maxConnectionsPerAddress,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? CONNECTION_DEFAULTS.handshakeTimeoutMs,
      ...(registerLimiter ? { registerLimiter } : {}),
      ...(options.warnIntervalMs !== undefined ? { warnIntervalMs: options.warnIntervalMs } : {}),
    });
  } catch (error) {
    await store.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  const maxConnections = options.maxConnections ?? CONNECTION_DEFAULTS.maxConnections;
  const openFiles = openFilesLimit();
  if (openFiles !== null && maxConnections + 64 > openFiles) {
    logger.warn({ maxConnections, openFilesLimit: openFiles }, `the open-files limit (${openFiles}) leaves too little room for ${maxConnections} connections; lower --max-connections or raise ulimit -n`);
  }
  // Clamped to what a Node timer can hold (2^31-1 ms); longer would fire every millisecond.
  const cleanupMs = Math.min((options.cleanupIntervalSeconds ?? RELAY_DEFAULTS.cleanupIntervalSeconds) * 1000, 2 ** 31 - 1);
  const cleanupTimer = setInterval(() => {
    core.cleanup().then(
      (deleted) => deleted > 0 && logger.info({ deleted }, 'cleanup removed expired broadcasts'),
      (error: unknown) => logger.warn({ err: (error as Error).message }, 'cleanup failed; will retry'),
    );
  }, cleanupMs);
  cleanupTimer.unref();
  return {
    url: serving.url,
    port: serving.port,
    tlsCertificatePem: tls.certificatePem,
    tlsCertificatePath: tls.certificatePath,
    tlsGenerated: tls.generated,
    storeDescription: store.description,
    ttlSeconds,
    core,
    serving,
    async close(graceMs = options.shutdownGraceMs ?? 10_000) {
      clearInterval(cleanupTimer);
      await serving.close(graceMs);
      await store.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}

/** The soft open-files limit on Linux (each connection holds one), or null where it cannot be read. */
function openFilesLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
