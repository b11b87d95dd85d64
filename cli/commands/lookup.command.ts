import type { CommandModule } from 'yargs';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

type Args = RelayClientArgs & { email: string };

const command: CommandModule<object, Args> = {
  command: 'lookup',
  describe: 'Find a peer by email (GET /api/relay/broadcast/lookup)',
  builder: (yargs) => withRelayClientOptions(yargs, true).option('email', { type: 'string', demandOption: true, describe: 'Email to look up' }) as never,
  handler: (args) => runRelayCall(args, (client) => client.lookup(args.email)),
};
export default command;
