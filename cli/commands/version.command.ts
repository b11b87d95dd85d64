import type { CommandModule } from 'yargs';

const command: CommandModule = {
  command: ['version', 'about'],
  describe: 'Print the relaylab version and what it contains',
  handler: async () => {
    const { packageVersion } = await import('../package-version.ts');
    process.stdout.write(`relaylab ${packageVersion()}: reference relay and peer, conformance suite, NAT simulator\n`);
  },
};
export default command;
