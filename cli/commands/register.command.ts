import type { CommandModule } from 'yargs';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

const command: CommandModule<object, RelayClientArgs> = {
  command: 'register',
  describe: "Register the identity's certificate and email with a relay (POST /api/relay/register)",
  builder: (yargs) => withRelayClientOptions(yargs, true),
  handler: (args) => runRelayCall(args, (client) => client.register()),
};
export default command;
