import { UsageError } from '../usage-error.ts';
import type { CommandModule } from 'yargs';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

type Args = RelayClientArgs & { limit?: number; cursor?: string };

const command: CommandModule<object, Args> = {
  command: 'list',
  describe: 'List online peers other than yourself, sorted by email (GET /api/relay/broadcast/list)',
  builder: (yargs) =>
    withRelayClientOptions(yargs, true)
      .option('limit', { type: 'number', describe: 'Page size, 1..1000 (relay default 100)' })
      .option('cursor', { type: 'string', describe: 'Cursor of the next page, as printed after a page' }) as never,
  handler: (args) =>
    runRelayCall(checkLimit(args), (client) => client.list({ ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.cursor ? { cursor: args.cursor } : {}) })),
};
export default command;

/** The limit the protocol allows (SPEC LIST-4), checked before asking: a typo is exit 2, not a relay refusal. */
function checkLimit(args: Args): Args {
  if (args.limit !== undefined && (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 1000)) throw new UsageError(`--limit must be a whole number from 1 to 1000, got ${String(args.limit)}`);
  return args;
}
