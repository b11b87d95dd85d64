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
    // Checked here so a typo is exit 2 with the flag named, not a relay refusal (exit 1) of a value the user never meant.
    if (typeof args.port !== 'number' || !Number.isInteger(args.port) || args.port < 1 || args.port > 65535) throw new UsageError(`--port must be a port number 1..65535, got ${String(args.port)}`);
    let capabilities: Record<string, unknown> | undefined;
    if (args.capabilities !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(args.capabilities);
      } catch {
        parsed = undefined;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--capabilities must be a JSON object, e.g. \'{"files":true}\'');
      capabilities = parsed as Record<string, unknown>;
    }
    return runRelayCall(args, (client) => client.ready({ port: args.port, addresses: args.address, ...(capabilities ? { capabilities } : {}) }));
  },
};
export default command;
