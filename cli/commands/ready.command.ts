import type { CommandModule } from 'yargs';
import { UsageError } from '../usage-error.ts';
import { runRelayCall, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

type Args = RelayClientArgs & { port: number; address: string[]; capabilities?: string };

const command: CommandModule<object, Args> = {
  command: 'ready',
  describe: "Announce the Peer Server's port and addresses, in try order (POST /api/relay/broadcast/ready)",
  builder: (yargs) =>
    withRelayClientOptions(yargs, true)
      .option('port', { type: 'number', demandOption: true, describe: "Peer Server port" })
      .option('address', { type: 'string', array: true, demandOption: true, describe: 'An address, repeatable; local first' })
      .option('capabilities', { type: 'string', describe: 'JSON object of capabilities' }) as never,
  handler: (args) => {
    let capabilities: Record<string, unknown> | undefined;
    if (args.capabilities !== undefined) {
      try {
        capabilities = JSON.parse(args.capabilities) as Record<string, unknown>;
      } catch {
        throw new UsageError('--capabilities must be a JSON object, e.g. \'{"files":true}\'');
      }
    }
    return runRelayCall(args, (client) => client.ready({ port: args.port, addresses: args.address, ...(capabilities ? { capabilities } : {}) }));
  },
};
export default command;
