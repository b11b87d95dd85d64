import type { CommandModule } from 'yargs';

const command: CommandModule = {
  command: 'about',
  describe: 'Print the relaylab version and what it contains',
  handler: async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`relaylab ${pkg.version}: reference relay and peer, conformance suite, NAT simulator\n`);
  },
};
export default command;
