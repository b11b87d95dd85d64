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
    runRelayCall(args, (client) => client.list({ ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.cursor ? { cursor: args.cursor } : {}) })),
};
export default command;
