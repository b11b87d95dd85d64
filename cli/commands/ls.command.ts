import type { CommandModule } from 'yargs';
import { withPeerConnection, withPeerTargetOptions, type PeerTargetArgs } from './connect.command.ts';

type Args = PeerTargetArgs & { path?: string; json: boolean };

const command: CommandModule<object, Args> = {
  command: 'ls [path]',
  describe: "List a folder on a peer's Peer Server (found through the relay)",
  builder: (yargs) =>
    withPeerTargetOptions(yargs)
      .positional('path', { type: 'string', describe: 'Folder inside the peer\'s root (default: the root)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the raw JSON listing' }) as never,
  handler: async (args) => {
    const { listCommand } = await import('../peer/connect-command.ts');
    const say = (line: string) => process.stdout.write(`${line}\n`);
    const note = (line: string) => process.stderr.write(`${line}\n`);
    await withPeerConnection(args, note, (baseUrl) => listCommand(baseUrl, args.path ?? '', args.json, say));
  },
};
export default command;
