/**
 * Foreground CLI for the foreign relay, for `relaylab conformance --target-cmd`:
 *
 *   node --import tsx conformance/foreign-relays/cli.ts --port 8555 --ttl 600 --grace 30 \
 *     [--host 127.0.0.1] [--cert F --key F] [--cert-out F] \
 *     [--http-header x-ssl-cert --trust anyone|ADDR,...] [--defect NAME[=VALUE] ...]
 *
 * Prints one line, `foreign relay listening on URL`, and exits 0 on SIGTERM
 * or SIGINT once closed. Time comes from Date.now only, so libfaketime's
 * speed-up reaches expiry. Exit 2 on a usage error.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startForeignRelay } from './server.ts';
import type { ErrorStyle, ForeignRelayOptions, RouteName } from './options.ts';

const ROUTE_NAMES: RouteName[] = ['health', 'register', 'ready', 'heartbeat', 'lookup', 'list'];

export const DEFECT_NAMES = [
  'no-code', 'own-codes', 'fractional-port-500', 'unvalidated-addresses', 'pem-text-identity', 'omit-route=ROUTE[,ROUTE]',
  'html-not-found', 'pool-size=N', 'capabilities-dropped-in-lookup', 'keep-first-addresses=N',
] as const;

class UsageError extends Error {}

function positiveInteger(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} wants a positive integer, got "${text}"`);
  return Number(text);
}

/** Applies one --defect NAME[=VALUE]; camelCase option names work too (poolSize=2). */
function applyDefect(options: ForeignRelayOptions, spec: string): void {
  const [rawName = '', value] = spec.split('=', 2) as [string, string | undefined];
  const name = rawName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const needValue = (): string => {
    if (value === undefined || value === '') throw new UsageError(`--defect ${name} wants a value (${name}=...)`);
    return value;
  };
  switch (name) {
    case 'no-code':
    case 'own-codes':
      options.errorStyle = name as ErrorStyle;
      return;
    case 'fractional-port-500':
      options.fractionalPort500 = true;
      return;
    case 'unvalidated-addresses':
      options.unvalidatedAddresses = true;
      return;
    case 'pem-text-identity':
      options.pemTextIdentity = true;
      return;
    case 'html-not-found':
      options.htmlNotFound = true;
      return;
    case 'capabilities-dropped-in-lookup':
      options.capabilitiesDroppedInLookup = true;
      return;
    case 'omit-route':
    case 'omit-routes': {
      const routes = needValue().split(',');
      for (const route of routes) if (!ROUTE_NAMES.includes(route as RouteName)) throw new UsageError(`unknown route "${route}" (one of ${ROUTE_NAMES.join(', ')})`);
      options.omitRoutes = [...(options.omitRoutes ?? []), ...(routes as RouteName[])];
      return;
    }
    case 'pool-size':
    case 'pool':
      options.poolSize = positiveInteger('--defect pool-size', needValue());
      return;
    case 'keep-first-addresses':
      options.keepFirstAddresses = positiveInteger('--defect keep-first-addresses', needValue());
      return;
    default:
      throw new UsageError(`unknown defect "${spec}"; known: ${DEFECT_NAMES.join(', ')}`);
  }
}

export function optionsFromArgs(argv: string[]): { options: ForeignRelayOptions; certOut: string | null } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      ttl: { type: 'string' },
      grace: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'cert-out': { type: 'string' },
      'http-header': { type: 'string' },
      trust: { type: 'string' },
      defect: { type: 'string', multiple: true },
    },
  });
  const options: ForeignRelayOptions = {};
  if (values.port !== undefined) {
    if (!/^[0-9]+$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port wants 0..65535, got "${values.port}"`);
    options.port = Number(values.port);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values.ttl !== undefined) options.ttlSeconds = positiveInteger('--ttl', values.ttl);
  if (values.grace !== undefined) {
    if (!/^[0-9]+(\.[0-9]+)?$/.test(values.grace)) throw new UsageError(`--grace wants seconds >= 0, got "${values.grace}"`);
    options.expiryGraceSeconds = Number(values.grace);
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  if (values.cert !== undefined) options.tlsCertFile = values.cert;
  if (values.key !== undefined) options.tlsKeyFile = values.key;
  if (values['http-header'] !== undefined) {
    options.transport = 'http-header';
    options.certHeader = values['http-header'];
  }
  if (values.trust !== undefined) {
    if (options.transport !== 'http-header') throw new UsageError('--trust goes with --http-header');
    options.trustHeaderFrom = values.trust === 'anyone' ? 'anyone' : values.trust.split(',').map((a) => a.trim()).filter(Boolean);
  }
  for (const defect of values.defect ?? []) applyDefect(options, defect);
  return { options, certOut: values['cert-out'] ?? null };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof optionsFromArgs>;
  try {
    parsed = optionsFromArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`foreign relay: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (parsed.options.transport === 'http-header' && parsed.options.trustHeaderFrom === undefined) {
    process.stderr.write('foreign relay: --http-header without --trust: no proxy is trusted, every request is anonymous\n');
  }
  const relay = await startForeignRelay(parsed.options);
  if (parsed.certOut !== null && relay.caPem !== null) writeFileSync(parsed.certOut, relay.caPem);
  process.stdout.write(`foreign relay listening on ${relay.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void relay.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// Run only as the entry script, so tests can import optionsFromArgs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`foreign relay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
