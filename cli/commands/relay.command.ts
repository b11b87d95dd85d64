import { requireWritableDir } from '../writable-dir.ts';
import type { Logger } from 'pino';
import type { CommandModule } from 'yargs';
import type { RunningRelay } from '../../reference/relay/http/start-relay.ts';
import { EXIT, UsageError } from '../usage-error.ts';
import { parseRate } from '../../reference/relay/http/rate-limit.ts';
import { formatDuration, parseDurationMs } from '../../reference/shared/duration.ts';
import { DEFAULT_RELAY_EXTENSIONS, RELAY_EXTENSIONS, type RelayExtension } from '../../reference/relay/core/types.ts';
import { ttlProblem } from '../../reference/shared/protocol.ts';

interface Args {
  host: string;
  port: number;
  'data-dir': string;
  store: string;
  ttl: string;
  'cleanup-interval': string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'cert-header'?: string;
  'trusted-proxy': string[];
  'log-level': string;
  'test-mode': boolean;
  'max-connections': number;
  'max-connections-per-address': number;
  'handshake-timeout': string;
  'register-rate'?: string;
  'register-burst': number;
  'shutdown-grace': string;
  extensions?: string;
  'require-possession': boolean;
}

/** Registration limit per source address when --register-rate is not given (and not --test-mode). */
const DEFAULT_REGISTER_RATE = '10/s';

const command: CommandModule<object, Args> = {
  command: 'relay',
  describe: 'Run the reference Relay Tracker over HTTPS with mutual TLS',
  builder: (yargs) =>
    yargs
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('port', { type: 'number', default: 8443, describe: 'Port to listen on (0 = any free port)' })
      .option('data-dir', { type: 'string', default: '.relaylab/relay', describe: 'Where a generated TLS pair is kept and reused' })
      .option('store', { type: 'string', default: 'memory', describe: 'memory, or a postgres://user:pass@host/db URL (add ?relaylab_prepared=off behind PgBouncer before 1.21 in transaction mode)' })
      .option('ttl', { type: 'string', default: '1h', describe: 'Broadcast time-to-live, whole seconds (a duration: 3600, 90s, 1h, 1h30m)' })
      .option('cleanup-interval', { type: 'string', default: '5m', describe: 'Time between deletions of expired broadcasts (a duration: 300, 90s, 5m)' })
      .option('tls-cert', { type: 'string', describe: "The relay's TLS certificate (PEM); generated when omitted" })
      .option('tls-key', { type: 'string', describe: "The relay's TLS key (PEM)" })
      .option('cert-header', { type: 'string', describe: 'Header a TLS-terminating proxy puts the client PEM in' })
      .option('trusted-proxy', { type: 'string', array: true, default: [] as string[], describe: 'CIDR of a proxy whose --cert-header is believed (repeatable)' })
      .option('log-level', { choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' })
      .option('test-mode', { type: 'boolean', default: false, describe: 'Enable POST /api/test/clock (conformance test-control profile). Never in production.' })
      .option('max-connections', { type: 'number', default: 900, describe: 'Open connections in total; more are closed at once (keep below ulimit -n)' })
      .option('max-connections-per-address', { type: 'number', default: 100, describe: 'Open connections from one source address; more are closed at once' })
      .option('handshake-timeout', { type: 'string', default: '10s', describe: 'How long a connection may take to finish its TLS handshake (a duration: 10, 10s, 500ms)' })
      .option('register-rate', { type: 'string', describe: `Registrations per source address: N/s, N/min, N/h, N/10s, or off (also 0) [default: ${DEFAULT_REGISTER_RATE}; off with --test-mode]` })
      .option('register-burst', { type: 'number', default: 20, describe: 'Registrations one address may make at once before --register-rate applies' })
      .option('shutdown-grace', { type: 'string', default: '10s', describe: 'How long SIGTERM/SIGINT lets requests in flight finish before closing every connection (a duration)' })
      .option('extensions', { type: 'string', describe: `Protocol extensions to offer, comma-separated, or none (SPEC EXT; known: ${RELAY_EXTENSIONS.join(', ')}) [default: ${DEFAULT_RELAY_EXTENSIONS.join(',')}]` })
      .option('require-possession', { type: 'boolean', default: false, describe: 'Refuse registrations that do not present the certificate they register (over mutual TLS, or in the trusted proxy\'s --cert-header; SPEC REG-14)' }) as never,
  handler: async (args) => {
    // The logger first: every line the relay writes is a pino line (JSON; pretty on a terminal), setup errors included.
    const { createLogger } = await import('../../reference/shared/logger.ts');
    const logger = createLogger(args['log-level'] as never, 'relay');
    // The startup line is the answer to being started: written whatever --log-level says.
    const always = logger.child({}, { level: 'info' });
    const started = await start(args, logger).catch(async (error: unknown): Promise<never> => {
      // A flag refused before the relay starts is the command line's, as for every verb: `relaylab: …`, exit 2.
      if (error instanceof UsageError && error.cause === undefined) throw error;
      // Once starting, it is the relay's log: one pino fatal line on stderr (its msg the readable text) with a stable code, exit 2.
      createLogger('info', 'relay', 2).fatal({ code: setupErrorCode(error), exitCode: EXIT.usage }, (error as Error).message);
      process.exit(EXIT.usage);
    });
    serve(args, logger, started.relay, started.durations, always);
    await new Promise(() => {});
  },
};

/** Checks the flags, then starts the relay; any refusal is a UsageError (exit 2) keeping its cause's code. */
async function start(args: Args, logger: Logger): Promise<{ relay: RunningRelay; durations: ReturnType<typeof durationsOf> }> {
  validate(args);
  // Before the relay makes its TLS pair there: Node's recursive mkdir never returns under /proc.
  await requireWritableDir(args['data-dir'], '--data-dir');
  const durations = durationsOf(args);
  const registerRate = registerRateOf(args);
  const extensions = extensionsOf(args.extensions);
  const { startRelay } = await import('../../reference/relay/http/start-relay.ts');
  try {
    const relay = await startRelay({
      host: args.host,
      port: args.port,
      dataDir: args['data-dir'],
      store: args.store,
      ttlSeconds: ttlSecondsOf(args.ttl),
      cleanupIntervalSeconds: durations.cleanupIntervalMs / 1000,
      ...(args['tls-cert'] ? { tlsCertFile: args['tls-cert'], tlsKeyFile: args['tls-key'] as string } : {}),
      ...(args['cert-header'] ? { certHeader: args['cert-header'], trustedProxies: args['trusted-proxy'] } : {}),
      testMode: args['test-mode'],
      logger,
      maxConnections: args['max-connections'],
      maxConnectionsPerAddress: args['max-connections-per-address'],
      handshakeTimeoutMs: durations.handshakeTimeoutMs,
      registerRateLimit: registerRate === null ? null : { ratePerSecond: registerRate, burst: args['register-burst'] },
      shutdownGraceMs: durations.shutdownGraceMs,
      extensions,
      requirePossession: args['require-possession'],
    });
    return { relay, durations };
  } catch (error) {
    throw Object.assign(new UsageError(`cannot start the relay: ${(error as Error).message}`), { cause: error });
  }
}

/** UsageError from the flags: "usage"; the relay's own setup errors keep theirs (RelaySetupError); an OS error its errno code. */
function setupErrorCode(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'usage';
}

/** Stops on SIGTERM/SIGINT after the grace; then the startup line. */
function serve(args: Args, logger: Logger, relay: RunningRelay, durations: ReturnType<typeof durationsOf>, always: Logger): void {
  // Handlers first: whoever reads the startup line may signal at once.
  const stop = (signal: string): void => {
    logger.info({ signal, graceMs: durations.shutdownGraceMs }, 'draining in-flight requests');
    // Backstop: close() ends every connection at the end of the grace; should the store hang, do not wait for ever.
    setTimeout(() => {
      logger.error('shutdown did not complete after the grace period; exiting');
      process.exit(1);
    }, durations.shutdownGraceMs + 10_000).unref();
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // The message keeps the words scripts look for ("relay listening on URL", "--relay-ca): PATH"); the fields say it for machines.
  always.info(
    { url: relay.url, tlsCertificate: relay.tlsCertificatePath, store: relay.storeDescription, ttlSeconds: relay.ttlSeconds, testMode: args['test-mode'] },
    `relay listening on ${relay.url} · TLS certificate (clients pin it with --relay-ca): ${relay.tlsCertificatePath} · store: ${relay.storeDescription} · ttl ${relay.ttlSeconds}s${args['test-mode'] ? ' · TEST MODE' : ''}`,
  );
}

/** Node timers hold at most 2^31-1 ms (about 24.8 days); beyond that they fire after 1 ms, in a busy loop. */
const MAX_TIMER_MS = 24 * 86_400_000;

/** A duration flag in the one grammar (reference/shared/duration.ts), within [min, max]. */
/** --ttl in the one duration grammar; the relay speaks whole seconds (SPEC: expires_in). */
function ttlSecondsOf(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null) throw new UsageError(`--ttl must be a duration such as 3600, 90s, 1h or 1h30m, got ${JSON.stringify(text)}`);
  if (ms % 1000 !== 0) throw new UsageError(`--ttl must be whole seconds, got ${JSON.stringify(text)}`);
  const badTtl = ttlProblem(ms / 1000);
  if (badTtl) throw new UsageError(`--ttl ${badTtl}`);
  return ms / 1000;
}

function durationFlag(args: Args, flag: 'cleanup-interval' | 'handshake-timeout' | 'shutdown-grace', minMs: number, maxMs: number): number {
  if (args[flag].trim() === '') throw new UsageError(`--${flag} needs a value (a duration such as 10, 90s, 5m)`);
  const ms = parseDurationMs(args[flag]);
  if (ms === null || ms < minMs || ms > maxMs) {
    throw new UsageError(`--${flag} must be a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (such as 10, 90s, 5m), got ${JSON.stringify(args[flag])}`);
  }
  return ms;
}

function durationsOf(args: Args): { cleanupIntervalMs: number; handshakeTimeoutMs: number; shutdownGraceMs: number } {
  return {
    cleanupIntervalMs: durationFlag(args, 'cleanup-interval', 1, MAX_TIMER_MS),
    handshakeTimeoutMs: durationFlag(args, 'handshake-timeout', 1, MAX_TIMER_MS),
    shutdownGraceMs: durationFlag(args, 'shutdown-grace', 0, 3_600_000),
  };
}

function validate(args: Args): void {
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError(`--port must be 0..65535, got ${args.port}`);
  ttlSecondsOf(args.ttl);
  if (Boolean(args['tls-cert']) !== Boolean(args['tls-key'])) throw new UsageError('--tls-cert and --tls-key go together');
  if (args['cert-header'] && args['trusted-proxy'].length === 0) throw new UsageError('--cert-header needs at least one --trusted-proxy CIDR');
  if (!args['cert-header'] && args['trusted-proxy'].length > 0) throw new UsageError('--trusted-proxy only makes sense with --cert-header NAME');
  if (args.store !== 'memory' && !/^postgres(ql)?:\/\//.test(args.store)) throw new UsageError(`--store must be "memory" or a postgres:// URL, got "${args.store}"`);
  for (const flag of ['max-connections', 'max-connections-per-address', 'register-burst'] as const) {
    if (!Number.isInteger(args[flag]) || args[flag] < 1) throw new UsageError(`--${flag} must be a whole number >= 1, got ${args[flag]}`);
  }
}

/** --extensions: a comma-separated list of known names, or "none". */
function extensionsOf(text: string | undefined): RelayExtension[] {
  if (text === undefined) return [...DEFAULT_RELAY_EXTENSIONS];
  if (text.trim() === 'none') return [];
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !(RELAY_EXTENSIONS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--extensions: ${unknown.length > 0 ? `unknown ${unknown.map((n) => `"${n}"`).join(', ')}` : 'empty'}; give some of ${RELAY_EXTENSIONS.join(', ')}, or none`);
  }
  return [...new Set(names)] as RelayExtension[];
}

/** Registrations per second per address, or null for no limit: on by default, off by default in --test-mode. */
function registerRateOf(args: Args): number | null {
  const text = args['register-rate'] ?? (args['test-mode'] ? 'off' : DEFAULT_REGISTER_RATE);
  try {
    return parseRate(text);
  } catch (error) {
    throw new UsageError(`--register-rate: ${(error as Error).message}`);
  }
}

export default command;
