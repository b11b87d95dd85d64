import { UsageError } from '../usage-error.ts';
import { RELAY_LIMITS } from '../../reference/shared/protocol.ts';
import type { CommandModule } from 'yargs';
import { makeRelayClient, runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

type Args = RelayClientArgs & { limit?: number; cursor?: string; filter?: string };

const command: CommandModule<object, Args> = {
  command: 'list',
  describe: 'List online peers other than yourself, sorted by email (GET /api/relay/broadcast/list)',
  builder: (yargs) =>
    withRelayClientOptions(yargs, true)
      .option('limit', { type: 'number', describe: 'Page size, 1..1000 (relay default 100)' })
      .option('cursor', { type: 'string', describe: 'Cursor of the next page, as printed after a page' })
      .option('filter', { type: 'string', describe: 'Only peers whose email or an address contains this text (walks the relay\'s pages, at most 10,000 entries)' })
      .example('$0 list --relay https://127.0.0.1:8443 --relay-ca relay.pem --identity me --filter example.com', 'online peers at example.com') as never,
  handler: (args) => (args.filter !== undefined ? listFiltered(checkLimit(args)) : runRelayCall(checkLimit(args), (client) => client.list({ ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.cursor ? { cursor: args.cursor } : {}) }))),
};
export default command;

/** The limit the protocol allows (SPEC LIST-4), checked before asking: a typo is exit 2, not a relay refusal. */
function checkLimit(args: Args): Args {
  const max = RELAY_LIMITS.maxListLimit;
  if (args.limit !== undefined && (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > max)) throw new UsageError(`--limit must be a whole number from 1 to ${max}, got ${String(args.limit)}`);
  if (args.filter !== undefined && args.filter.trim() === '') throw new UsageError('--filter needs some text');
  return args;
}

/** Through the library API (queryRelayPeers), as RemoteHouse's filter does; one JSON line per page of matches. */
async function listFiltered(args: Args): Promise<void> {
  const { queryRelayPeers, RelayCallError } = await import('../../reference/peer/api/relay-peers.ts');
  const client = await makeRelayClient(args);
  try {
    const page = await queryRelayPeers(client, { filter: args.filter!, ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.cursor ? { cursor: args.cursor } : {}) });
    const wire = page.peers.map((p) => ({ email: p.email, port: p.port, addresses: p.addresses, last_seen: p.lastSeenMs === null ? null : Math.floor(p.lastSeenMs / 1000) }));
    process.stdout.write(`${JSON.stringify(wire, null, 2)}\n`);
    process.stderr.write(`looked at ${page.scanned} online peer(s)${page.skipped > 0 ? `, ${page.skipped} unreadable` : ''}\n`);
    if (page.nextCursor) process.stderr.write(`more to look at: add --cursor ${page.nextCursor}\n`);
  } catch (error) {
    if (error instanceof RelayCallError && error.code === 'relay_unreachable') throw new UsageError(error.message);
    if (error instanceof RelayCallError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await client.close();
  }
}
