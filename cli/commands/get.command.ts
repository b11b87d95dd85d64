import type { CommandModule } from 'yargs';
import { withPeerConnection, withPeerTargetOptions, type PeerTargetArgs } from './connect.command.ts';

type Args = PeerTargetArgs & { path: string; out: string; force: boolean };

const command: CommandModule<object, Args> = {
  command: 'get <path>',
  describe: "Download a file from a peer's Peer Server (found through the relay)",
  builder: (yargs) =>
    withPeerTargetOptions(yargs)
      .positional('path', { type: 'string', demandOption: true, describe: "File inside the peer's root" })
      .option('out', { type: 'string', demandOption: true, describe: 'Where to save it' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite --out if it exists' }) as never,
  handler: async (args) => {
    const { getCommand, checkOutFile } = await import('../peer/connect-command.ts');
    await checkOutFile(args.out, args.force);
    const note = (line: string) => process.stderr.write(`${line}\n`);
    const say = (line: string) => process.stdout.write(`${line}\n`);
    await withPeerConnection(args, note, (baseUrl) => getCommand(baseUrl, args.path, args.out, say));
  },
};
export default command;
