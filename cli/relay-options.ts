/**
 * Options shared by the relay client verbs (register, ready, heartbeat,
 * lookup, list) and how to turn them into a RelayClient.
 */
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { UsageError } from './usage-error.ts';

export interface RelayClientArgs {
  relay: string;
  'relay-ca'?: string;
  insecure?: boolean;
  identity?: string;
  'timeout-ms': number;
}

export function withRelayClientOptions<T>(yargs: Argv<T>, identityRequired: boolean): Argv<T & RelayClientArgs> {
  return yargs
    .option('relay', { type: 'string', demandOption: true, describe: 'Relay URL, e.g. https://127.0.0.1:8443' })
    .option('relay-ca', { type: 'string', describe: "PEM file of the relay's certificate to pin (printed by `relaylab relay` at start)" })
    .option('insecure', { type: 'boolean', default: false, describe: "Do not verify the relay's certificate (experiments only)" })
    .option('identity', { type: 'string', demandOption: identityRequired, describe: 'Identity folder (cert.pem + key.pem) from `relaylab identity create`' })
    .option('timeout-ms', { type: 'number', default: 10_000, describe: 'Give up on the relay after this long' }) as unknown as Argv<T & RelayClientArgs>;
}

export async function makeRelayClient(args: RelayClientArgs) {
  const { RelayClient } = await import('../reference/peer/http/relay-client.ts');
  const { loadIdentityFiles } = await import('../reference/identity/identity-files.ts');
  const { relayTrustOf } = await import('./peer/peer-args.ts');
  const { relayCaPem } = await relayTrustOf(args);
  const timeoutMs = args['timeout-ms'];
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout-ms must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  const identity = args.identity ? await loadIdentityFiles(args.identity) : undefined;
  try {
    return new RelayClient({
      relayUrl: args.relay,
      ...(relayCaPem ? { relayCaPem } : {}),
      insecure: args.insecure ?? false,
      ...(identity ? { identity } : {}),
      timeoutMs: args['timeout-ms'],
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}


/** Prints the relay's JSON answer; exit 0 on 2xx, 1 when the relay said no, 2 when unreachable. */
export async function runRelayCall(args: RelayClientArgs, call: (client: Awaited<ReturnType<typeof makeRelayClient>>) => Promise<{ status: number; body: unknown; nextCursor?: string }>): Promise<void> {
  const { RelayUnreachableError } = await import('../reference/peer/http/relay-client.ts');
  const client = await makeRelayClient(args);
  try {
    const reply = await call(client);
    process.stdout.write(`${JSON.stringify(reply.body, null, 2)}\n`);
    if (reply.nextCursor) process.stderr.write(`more results: add --cursor ${reply.nextCursor}\n`);
    if (reply.status < 200 || reply.status > 299) {
      process.stderr.write(`relay answered HTTP ${reply.status}\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    if (error instanceof RelayUnreachableError) throw new UsageError(error.message);
    throw error;
  } finally {
    await client.close();
  }
}
