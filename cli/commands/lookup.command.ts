import { isValidEmail } from '../../reference/shared/email.ts';
import { UsageError } from '../usage-error.ts';
import type { CommandModule } from 'yargs';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

type Args = RelayClientArgs & { email: string };

const command: CommandModule<object, Args> = {
  command: 'lookup',
  describe: 'Find a peer by email (GET /api/relay/broadcast/lookup)',
  builder: (yargs) => withRelayClientOptions(yargs, true).option('email', { type: 'string', demandOption: true, describe: 'Email to look up' }) as never,
  handler: (args) => {
    // An address that is not an email is exit 2 here, not a relay refusal (exit 1).
    if (!isValidEmail(args.email.trim())) throw new UsageError(`--email ${JSON.stringify(args.email)} is not an email address`);
    return runRelayCall(args, (client) => client.lookup(args.email));
  },
};
export default command;
