import type { CommandModule } from 'yargs';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

const command: CommandModule<object, RelayClientArgs> = {
  command: 'heartbeat',
  describe: "Extend this identity's live broadcast (POST /api/relay/broadcast/heartbeat)",
  builder: (yargs) => withRelayClientOptions(yargs, true),
  handler: (args) => runRelayCall(args, (client) => client.heartbeat()),
};
export default command;
