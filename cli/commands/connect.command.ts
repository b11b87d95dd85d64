import type { CommandModule } from 'yargs';
import { makeRelayClient, withRelayClientOptions, type RelayClientArgs } from '../relay-options.ts';

export type PeerTargetArgs = RelayClientArgs & { email: string; strategy: string; 'attempt-timeout': string };

const command: CommandModule<object, PeerTargetArgs> = {
  command: 'connect',
  describe: "Look a peer up and try its addresses in order until one answers with the peer's email",
  builder: (yargs) => withPeerTargetOptions(yargs) as never,
  handler: (args) => withPeerConnection(args, (line) => process.stdout.write(`${line}\n`), async () => {}),
};
export default command;

export function withPeerTargetOptions<T>(yargs: import('yargs').Argv<T>) {
  return withRelayClientOptions(yargs, true)
    .option('email', { type: 'string', demandOption: true, describe: 'The peer to reach' })
    .option('strategy', { type: 'string', default: 'sequential', choices: ['sequential', 'race'], describe: 'sequential (the seed) or race (Happy Eyeballs, 250 ms stagger)' })
    .option('attempt-timeout', { type: 'string', default: '5s', describe: 'Per-address timeout (5s, 800ms)' });
}

/** Connects, then runs `then(baseUrl)`; bad input (a UserInputError) reaches the CLI as a one-line error. */
export async function withPeerConnection(args: PeerTargetArgs, print: (line: string) => void, then: (baseUrl: string) => Promise<void>): Promise<void> {
  const { connectCommand } = await import('../peer/connect-command.ts');
  const client = await makeRelayClient(args);
  try {
    const baseUrl = await connectCommand(client, args, print);
    if (baseUrl) await then(baseUrl);
  } finally {
    await client.close();
  }
}
