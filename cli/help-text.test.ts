import { describe, expect, it } from 'vitest';
import yargs, { type CommandModule } from 'yargs';
import { runCli } from '../test/support/spawn-cli.ts';
import { COMMANDS } from './commands/index.ts';
import { EXAMPLES, verbOf } from './help-text.ts';
import { withHelpText } from './main-parts.ts';

/** Parses one command line with every real command definition; handlers only record which verb ran. */
async function parse(words: string[]): Promise<string> {
  let ran = '';
  const parser = yargs(words).strict().exitProcess(false).fail((message, error) => {
    throw error ?? new Error(message);
  });
  for (const command of COMMANDS) {
    const verb = verbOf(command.command as string | string[]);
    parser.command({ ...(withHelpText(command) as CommandModule), handler: () => void (ran = verb) });
  }
  await parser.parseAsync();
  return ran;
}

describe('every command\'s --help', () => {
  it('has examples for every verb, and no examples for verbs that do not exist', () => {
    const verbs = COMMANDS.map((c) => verbOf(c.command as string | string[])).sort();
    expect(Object.keys(EXAMPLES).sort()).toEqual(verbs);
  });

  it.each(Object.entries(EXAMPLES).flatMap(([verb, list]) => list.map(([example]) => [verb, example] as const)))('%s: `%s` parses with the real definitions', async (verb, example) => {
    const words = example.replace(/^\$0 /, '').split(' ');
    if (verb === 'identity') {
      // Its sub-commands run their own handlers; parsing without throwing is the check.
      await expect(parse([...words, '--help'])).resolves.toBeDefined();
      return;
    }
    expect(await parse(words)).toBe(verb);
  });

  it('prints the examples and the exit codes, as a user sees them', async () => {
    for (const verb of ['get', 'simulate', 'conformance']) {
      const help = await runCli([verb, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toMatch(/Exit codes:\n\s+0\s+done/);
    }
  });
});
