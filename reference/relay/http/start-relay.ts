/**
 * Assembles a running reference relay: TLS pair, store, clock, the pure
 * core, the HTTPS edge and the cleanup job. Used by `relaylab relay`, the
 * demo, the conformance suite's embedded target and the tests.
 */
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
import type { RelayHandler, RelayStore } from '../core/types.ts';
import { openStore } from './open-store.ts';
import { makePrincipalExtractor, parseTrustedProxies, type PrincipalExtractor, type ProxyTrust } from './principal.ts';
import { serveRelay, type ServingRelay } from './serve.ts';
import { loadOrGenerateTlsPair, loadTlsPair, type TlsPair } from './tls-pair.ts';

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
  logger?: Logger;
  clock?: Clock;
  rng?: Rng;
  /** Conformance mutants: wrap or replace the core's behaviour. */
  wrapHandler?: (core: RelayCore) => RelayHandler;
  /** Conformance mutants: replace how callers are identified. */
  principalOf?: (proxy: ProxyTrust | null) => PrincipalExtractor;
  /** Conformance mutants: change the body size limit (SPEC ERR-6). */
  maxBodyBytes?: number;
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
  close(): Promise<void>;
}

export const RELAY_DEFAULTS = { host: '127.0.0.1', port: 8443, ttlSeconds: 3600, cleanupIntervalSeconds: 300 } as const;

export async function startRelay(options: StartRelayOptions = {}): Promise<RunningRelay> {
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? RELAY_DEFAULTS.host;
  const ttlSeconds = options.ttlSeconds ?? RELAY_DEFAULTS.ttlSeconds;
  // Configuration is checked before anything is created, so a refusal leaves nothing behind.
  const proxy = options.certHeader ? { headerName: options.certHeader, trusted: parseTrustedProxies(options.trustedProxies ?? []) } : null;
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
    config: { ttlSeconds, testMode: options.testMode ?? false },
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
    });
  } catch (error) {
    await store.close();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
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
    async close() {
      clearInterval(cleanupTimer);
      await serving.close();
      await store.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}
