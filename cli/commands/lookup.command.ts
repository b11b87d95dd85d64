import type { CommandModule } from 'yargs';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

type Args = RelayClientArgs & { email: string };

const command: CommandModule<object, Args> = {
  command: 'lookup',
  describe: 'Find a peer by email (GET /api/relay/broadcast/lookup)',
  builder: (yargs) => withRelayClientOptions(yargs, true).option('email', { type: 'string', demandOption: true, describe: 'Email to look up' }) as never,
  handler: async (args) => {
    const { requireEmail } = await import('../peer/peer-args.ts');
    // An address that is not an email is exit 2 here, not a relay refusal (exit 1).
    requireEmail(args.email, '--email');
    return runRelayCall(args, (client) => client.lookup(args.email));
  },
};
export default command;
