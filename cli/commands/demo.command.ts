import type { CommandModule } from 'yargs';

const command: CommandModule = {
  command: 'demo',
  describe: 'New here? Walks the seven discovery steps with an embedded relay and two peers on loopback',
  handler: async () => {
    const { runDemo } = await import('../../reference/peer/demo.ts');
    const result = await runDemo((line) => process.stdout.write(`${line}\n`));
    if (result.ok) {
      process.stdout.write(`All seven steps hold (${result.elapsedMs} ms). Next: \`npx relaylab relay\` and \`npx relaylab peer --help\`.\n`);
    } else {
      process.exitCode = 1;
    }
  },
};
export default command;
